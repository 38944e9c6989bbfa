using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace SnapshotService.Telemetry;

/// <summary>
/// The service's one <see cref="ActivitySource"/> and one <see cref="Meter"/>, both named
/// <see cref="Name"/>: exporters (OTLP, Prometheus) subscribe to that name. Instruments carry their
/// unit in UCUM form (<c>s</c>, <c>By</c>, <c>{change}</c>) and the source id as the tag
/// <see cref="SourceTag"/>; docs/operations.md lists every one.
/// </summary>
public static class SnapshotServiceTelemetry
{
    /// <summary>The name of the activity source and the meter.</summary>
    public const string Name = "SnapshotService";

    /// <summary>The tag carrying the source id on every per-source measurement and span.</summary>
    public const string SourceTag = "snapshotservice.source";

    /// <summary>Spans of capture batches, snapshots, materializations, restores and reconciliations.</summary>
    public static readonly ActivitySource ActivitySource = new(Name, typeof(SnapshotServiceTelemetry).Assembly.GetName().Version?.ToString());

    /// <summary>Every metric of the service.</summary>
    public static readonly Meter Meter = new(Name, typeof(SnapshotServiceTelemetry).Assembly.GetName().Version?.ToString());

    /// <summary>Starts a span tagged with the source id (null when nobody listens, so it costs nothing then).</summary>
    public static Activity? StartActivity(string name, string sourceId, ActivityKind kind = ActivityKind.Internal)
    {
        var activity = ActivitySource.StartActivity(name, kind);
        activity?.SetTag(SourceTag, sourceId);
        return activity;
    }

    /// <summary>Marks a span failed with the exception's type and message.</summary>
    public static void RecordFailure(this Activity? activity, Exception error)
    {
        if (activity is null)
        {
            return;
        }
        activity.SetStatus(ActivityStatusCode.Error, error.Message);
        activity.AddException(error);
    }

    internal static KeyValuePair<string, object?> Source(string sourceId) => new(SourceTag, sourceId);
}
