using System.Diagnostics;
using System.Globalization;
using System.Text.RegularExpressions;
using OpenTelemetry.Metrics;
using OpenTelemetry.Trace;
using SnapshotService.Api.V1;
using SnapshotService.Telemetry;

namespace SnapshotService.Host.Tests;

/// <summary>A host whose metrics and spans also go to in-memory exporters the tests read.</summary>
public sealed class TelemetryHostFixture : HostFixture
{
    private readonly LockedCollection<Activity> _spans = new();

    private readonly LockedCollection<Metric> _metrics = new();

    protected override void ConfigureBuilder(WebApplicationBuilder builder)
    {
        builder.Services.ConfigureOpenTelemetryTracerProvider(tracing => tracing.AddInMemoryExporter(_spans));
        builder.Services.ConfigureOpenTelemetryMeterProvider(metrics => metrics.AddInMemoryExporter(_metrics));
    }

    /// <summary>Flushes the meter provider and returns what it exported (a copy, safe to enumerate).</summary>
    public List<Metric> CollectMetrics()
    {
        _metrics.Clear();
        App.Services.GetRequiredService<MeterProvider>().ForceFlush();
        return _metrics.Snapshot();
    }

    /// <summary>
    /// Collects until the exported metrics satisfy <paramref name="ready"/>: on a loaded machine one
    /// collection once came back without a measurement recorded before it, so a test waits for the
    /// collection that has what it checks instead of trusting the first.
    /// </summary>
    public async Task<List<Metric>> CollectMetricsUntilAsync(Func<List<Metric>, bool> ready, string what)
    {
        List<Metric> metrics = [];
        await Eventually.TrueAsync(() => Task.FromResult(ready(metrics = CollectMetrics())), what);
        return metrics;
    }

    /// <summary>Flushes the tracer provider and returns every span exported so far (a copy, safe to enumerate).</summary>
    public List<Activity> FinishedSpans()
    {
        App.Services.GetRequiredService<TracerProvider>().ForceFlush();
        return _spans.Snapshot();
    }
}

/// <summary>
/// Metrics and traces during a capture and a reconciliation, read from the in-memory exporters and
/// from the Prometheus endpoint: names, units, plausible values, and one trace from the API call
/// into the grains.
/// </summary>
public sealed class TelemetryTests(TelemetryHostFixture host) : IClassFixture<TelemetryHostFixture>
{
    [Fact]
    public async Task capture_metrics_have_their_units_and_plausible_values_per_source()
    {
        await Eventually.TrueAsync(
            async () => (await host.Sources.GetSourceAsync(new GetSourceRequest { SourceId = HostFixture.SourceId })).CommittedSeq > 2_000,
            () => "capture commits 2,000 changes");

        var metrics = await host.CollectMetricsUntilAsync(
            m => m.Any(metric => metric.Name == "snapshotservice.capture.changes" && SumFor(metric, HostFixture.SourceId) > 2_000),
            "the collected metrics count the 2,000 committed changes");

        var changes = Single(metrics, "snapshotservice.capture.changes");
        Assert.Equal("{change}", changes.Unit);
        Assert.Equal("By", Single(metrics, "snapshotservice.capture.bytes").Unit);
        var commit = Single(metrics, "snapshotservice.capture.commit.duration");
        Assert.Equal("s", commit.Unit);
        Assert.Equal(MetricType.Histogram, commit.MetricType);
        var stages = Single(metrics, "snapshotservice.capture.stage.duration");
        var stageNames = Points(stages).Select(p => Tag(p, CaptureMetrics.StageTag)).ToHashSet();
        Assert.Superset(new HashSet<string?> { "read", "hash", "write", "commit" }, stageNames);
        var lag = Points(Single(metrics, "snapshotservice.capture.lag.current")).Single(p => Tag(p, SnapshotServiceTelemetry.SourceTag) == HostFixture.SourceId);
        Assert.InRange(lag.GetGaugeLastValueDouble(), 0, 60);
        var depth = Points(Single(metrics, "snapshotservice.capture.channel.depth")).Single(p => Tag(p, SnapshotServiceTelemetry.SourceTag) == HostFixture.SourceId);
        Assert.InRange(depth.GetGaugeLastValueDouble(), 0, 8);
        Assert.Contains(metrics, m => m.MeterName == "Microsoft.Orleans");
    }

    [Fact]
    public async Task a_reconciliation_reports_runs_coverage_and_a_span_per_range_in_the_trace_of_the_api_call()
    {
        // Reconcile captured data: on a busy machine this test can start before capture's first commit.
        await host.WaitForCommittedAsync(HostFixture.SourceId, 1);

        var report = await host.Reconciliation.RunReconciliationAsync(new RunReconciliationRequest { SourceId = HostFixture.SourceId, Mode = "full", DryRun = true });

        var metrics = await host.CollectMetricsUntilAsync(
            m => new[] { "runs", "resolved_in_flight", "unsettled" }.All(name => m.Any(metric => metric.Name == "snapshotservice.reconciliation." + name && Points(metric).Any(p => Tag(p, SnapshotServiceTelemetry.SourceTag) == HostFixture.SourceId))),
            "the collected metrics count the reconciliation run, its keys resolved in flight and its unsettled keys");
        // The source changes 2,000 times a second while the run reads it: keys found different that
        // were changes in flight (or could not be judged) are counted apart from drift, as the report says.
        Assert.True(report.Settled);
        Assert.Equal((long)report.ResolvedInFlight, SumFor(Single(metrics, "snapshotservice.reconciliation.resolved_in_flight"), HostFixture.SourceId));
        Assert.Equal((long)report.Unsettled, SumFor(Single(metrics, "snapshotservice.reconciliation.unsettled"), HostFixture.SourceId));
        Assert.Equal("{key}", Single(metrics, "snapshotservice.reconciliation.unsettled").Unit);
        var coverage = Points(Single(metrics, "snapshotservice.reconciliation.coverage")).First(p => Tag(p, SnapshotServiceTelemetry.SourceTag) == HostFixture.SourceId);
        Assert.InRange(coverage.GetHistogramSum() / coverage.GetHistogramCount(), 0.999, 1.0);
        Assert.Equal("s", Single(metrics, "snapshotservice.reconciliation.duration").Unit);

        var spans = host.FinishedSpans();
        var run = spans.Last(s => s.OperationName == "reconciliation.run" && s.GetTagItem("snapshotservice.report") as string == report.ReportId);
        // The gRPC server span of the API call, and the grain calls it made, share the run's trace.
        var server = spans.Single(s => s.TraceId == run.TraceId && s.Source.Name == "Microsoft.AspNetCore");
        Assert.Contains("RunReconciliation", server.DisplayName, StringComparison.Ordinal);
        Assert.Contains(spans, s => s.TraceId == run.TraceId && s.Source.Name.StartsWith("Microsoft.Orleans", StringComparison.Ordinal));
        var ranges = spans.Where(s => s.OperationName == "reconciliation.range" && s.TraceId == run.TraceId).ToList();
        Assert.Equal((int)report.RangesChecked, ranges.Count);
        Assert.All(ranges, r => Assert.Equal(run.SpanId, r.ParentSpanId));
    }

    [Fact]
    public async Task the_prometheus_endpoint_serves_the_service_metrics_with_unit_suffixes()
    {
        await Eventually.TrueAsync(
            async () => (await host.Sources.GetSourceAsync(new GetSourceRequest { SourceId = HostFixture.SourceId })).CommittedSeq > 500,
            () => "capture commits 500 changes");

        var text = await host.Http.GetStringAsync(new Uri("/metrics", UriKind.Relative));

        var changes = Regex.Match(text, @"^snapshotservice_capture_changes_total\{[^}]*snapshotservice_source=""fast""[^}]*\} (\d+)", RegexOptions.Multiline);
        Assert.True(changes.Success, "no snapshotservice_capture_changes_total for source fast in:\n" + text[..Math.Min(text.Length, 4000)]);
        Assert.True(long.Parse(changes.Groups[1].Value, CultureInfo.InvariantCulture) > 0);
        Assert.Contains("snapshotservice_capture_commit_duration_seconds_bucket", text, StringComparison.Ordinal);
        Assert.Contains("snapshotservice_capture_lag_current_seconds", text, StringComparison.Ordinal);
        Assert.Contains("# TYPE snapshotservice_capture_commit_duration_seconds histogram", text, StringComparison.Ordinal);
    }

    private static Metric Single(List<Metric> metrics, string name) => metrics.Single(m => m.Name == name);

    private static List<MetricPoint> Points(Metric metric)
    {
        var points = new List<MetricPoint>();
        foreach (ref readonly var point in metric.GetMetricPoints())
        {
            points.Add(point);
        }
        return points;
    }

    private static string? Tag(MetricPoint point, string key)
    {
        foreach (var tag in point.Tags)
        {
            if (tag.Key == key)
            {
                return tag.Value as string;
            }
        }
        return null;
    }

    private static long SumFor(Metric metric, string sourceId) =>
        Points(metric).Where(p => Tag(p, SnapshotServiceTelemetry.SourceTag) == sourceId).Sum(p => p.GetSumLong());
}
