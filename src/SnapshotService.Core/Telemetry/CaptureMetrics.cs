using System.Diagnostics.Metrics;

namespace SnapshotService.Telemetry;

/// <summary>Capture's counters and histograms (the gauges are in <see cref="SourceGauges"/>).</summary>
public static class CaptureMetrics
{
    /// <summary>Stage tag values of <see cref="StageDuration"/>.</summary>
    public static class Stages
    {
        /// <summary>Reading a batch from the source.</summary>
        public const string Read = "read";

        /// <summary>Hashing, encoding and compressing a segment.</summary>
        public const string Hash = "hash";

        /// <summary>Writing the segment to the export store.</summary>
        public const string Write = "write";

        /// <summary>Creating the commit record (the atomic, fenced step).</summary>
        public const string Commit = "commit";
    }

    /// <summary>Changes committed to the export log.</summary>
    public static readonly Counter<long> Changes = SnapshotServiceTelemetry.Meter.CreateCounter<long>(
        "snapshotservice.capture.changes", "{change}", "Changes committed to the export log.");

    /// <summary>Document bytes (uncompressed) committed.</summary>
    public static readonly Counter<long> Bytes = SnapshotServiceTelemetry.Meter.CreateCounter<long>(
        "snapshotservice.capture.bytes", "By", "Uncompressed change bytes committed to the export log.");

    /// <summary>Time of one commit: segment encode + write + commit record.</summary>
    public static readonly Histogram<double> CommitDuration = SnapshotServiceTelemetry.Meter.CreateHistogram<double>(
        "snapshotservice.capture.commit.duration", "s", "Time to commit one batch (encode, write the segment, create the commit record).");

    /// <summary>Time per pipeline stage, tagged <c>snapshotservice.stage</c>.</summary>
    public static readonly Histogram<double> StageDuration = SnapshotServiceTelemetry.Meter.CreateHistogram<double>(
        "snapshotservice.capture.stage.duration", "s", "Time per capture stage: read, hash (encode and compress), write (segment), commit (record).");

    /// <summary>Source time of the newest change in a commit to the commit's end.</summary>
    public static readonly Histogram<double> Lag = SnapshotServiceTelemetry.Meter.CreateHistogram<double>(
        "snapshotservice.capture.lag", "s", "End-to-end lag: from the source time of a commit's newest change to the commit being durable.");

    /// <summary>Times a source's committed position was seen older than one this process saw before (must stay 0).</summary>
    public static readonly Counter<long> PositionRegressions = SnapshotServiceTelemetry.Meter.CreateCounter<long>(
        "snapshotservice.capture.position.regressions", "{regression}", "Times a source's log head was found older than one seen before in this process; must stay 0.");

    /// <summary>The tag of <see cref="StageDuration"/>.</summary>
    public const string StageTag = "snapshotservice.stage";

    /// <summary>Records one stage's duration.</summary>
    public static void RecordStage(string sourceId, string stage, TimeSpan elapsed) =>
        StageDuration.Record(elapsed.TotalSeconds, SnapshotServiceTelemetry.Source(sourceId), new KeyValuePair<string, object?>(StageTag, stage));
}
