using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using SnapshotService.Capture;

namespace SnapshotService.Telemetry;

/// <summary>
/// The per-source gauges, observed when an exporter collects: current lag, position age, channel
/// depth and history headroom. The owner of a source (its grain) tracks it while active; a source
/// not tracked reports nothing (rather than a stale value).
/// </summary>
public static class SourceGauges
{
    private static readonly ConcurrentDictionary<string, SourceGaugeState> States = new(StringComparer.Ordinal);

    static SourceGauges()
    {
        var meter = SnapshotServiceTelemetry.Meter;
        meter.CreateObservableGauge("snapshotservice.capture.lag.current", () => Observe(s => s.Pipeline?.LagSeconds), "s",
            "Seconds between the source's newest change and the newest committed one, now.");
        meter.CreateObservableGauge("snapshotservice.capture.position.age", () => Observe(s => s.Pipeline?.PositionAgeSeconds), "s",
            "Seconds since the committed source position last advanced while the source had newer changes (0 when caught up).");
        meter.CreateObservableGauge("snapshotservice.capture.channel.depth", () => Observe(s => s.Pipeline?.ChannelDepth), "{batch}",
            "Read batches waiting for the committer (at the channel capacity, reading waits: backpressure).");
        meter.CreateObservableGauge("snapshotservice.source.history.headroom", () => Observe(s => s.HistoryHeadroomSeconds), "s",
            "Seconds until the saved position falls out of the source's history (MongoDB oplog window left; Cosmos DB all-versions retention left).");
        meter.CreateObservableGauge("snapshotservice.source.range.lag", ObserveRanges, "s",
            "Per feed range (Cosmos DB): seconds since capture last had everything the range held.");
    }

    /// <summary>Starts reporting <paramref name="sourceId"/>; returns its state to update.</summary>
    public static SourceGaugeState Track(string sourceId)
    {
        var state = new SourceGaugeState(sourceId);
        States[sourceId] = state;
        return state;
    }

    /// <summary>Stops reporting the source, unless another owner has tracked it since.</summary>
    public static void Untrack(SourceGaugeState state) =>
        States.TryRemove(new KeyValuePair<string, SourceGaugeState>(state.SourceId, state));

    /// <summary>The tag naming a feed range on <c>snapshotservice.source.range.lag</c>.</summary>
    public const string RangeTag = "snapshotservice.range";

    private static IEnumerable<Measurement<double>> ObserveRanges()
    {
        foreach (var state in States.Values)
        {
            foreach (var range in state.RangeLags)
            {
                if (double.IsFinite(range.LagSeconds))
                {
                    yield return new Measurement<double>(range.LagSeconds, SnapshotServiceTelemetry.Source(state.SourceId), new KeyValuePair<string, object?>(RangeTag, range.Range));
                }
            }
        }
    }

    private static IEnumerable<Measurement<double>> Observe(Func<SourceGaugeState, double?> read)
    {
        foreach (var state in States.Values)
        {
            if (read(state) is { } value && double.IsFinite(value))
            {
                yield return new Measurement<double>(value, SnapshotServiceTelemetry.Source(state.SourceId));
            }
        }
    }
}

/// <summary>What the gauges read for one source; its owner keeps it current.</summary>
public sealed class SourceGaugeState(string sourceId)
{
    /// <summary>The source id.</summary>
    public string SourceId { get; } = sourceId;

    /// <summary>The running pipeline, or null while capture is stopped.</summary>
    public CapturePipeline? Pipeline { get; set; }

    /// <summary>The newest history headroom the source reported, or null when unknown.</summary>
    public double? HistoryHeadroomSeconds { get; set; }

    /// <summary>The newest per-range lags the source reported (Cosmos DB feed ranges).</summary>
    public IReadOnlyList<Sources.SourceRangeLag> RangeLags { get; set; } = [];
}
