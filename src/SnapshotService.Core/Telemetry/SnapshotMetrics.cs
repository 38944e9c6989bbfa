using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace SnapshotService.Telemetry;

/// <summary>Durations and spans of snapshot operations: create (anchor), materialize, restore.</summary>
public static class SnapshotMetrics
{
    /// <summary>The tag naming the operation (create, materialize, restore).</summary>
    public const string OperationTag = "snapshotservice.operation";

    /// <summary>The tag saying how it ended (ok, error).</summary>
    public const string OutcomeTag = "snapshotservice.outcome";

    /// <summary>Duration of snapshot operations.</summary>
    public static readonly Histogram<double> Duration = SnapshotServiceTelemetry.Meter.CreateHistogram<double>(
        "snapshotservice.snapshot.duration", "s", "Duration of snapshot operations (create = anchor, materialize = view files, restore = into a target), by operation and outcome.");

    /// <summary>Runs <paramref name="operation"/> inside a span <c>snapshot.{name}</c> and records its duration.</summary>
    public static async Task<T> MeasureAsync<T>(string name, string sourceId, string? snapshotId, Func<Task<T>> operation)
    {
        ArgumentNullException.ThrowIfNull(operation);
        using var span = SnapshotServiceTelemetry.StartActivity("snapshot." + name, sourceId);
        span?.SetTag("snapshotservice.snapshot", snapshotId);
        var started = Stopwatch.GetTimestamp();
        var outcome = "error";
        try
        {
            var result = await operation().ConfigureAwait(false);
            outcome = "ok";
            return result;
        }
        catch (Exception ex)
        {
            span.RecordFailure(ex);
            throw;
        }
        finally
        {
            Duration.Record(
                Stopwatch.GetElapsedTime(started).TotalSeconds,
                SnapshotServiceTelemetry.Source(sourceId),
                new KeyValuePair<string, object?>(OperationTag, name),
                new KeyValuePair<string, object?>(OutcomeTag, outcome));
        }
    }
}
