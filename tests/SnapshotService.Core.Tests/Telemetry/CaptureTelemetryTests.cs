using System.Collections.Concurrent;
using System.Diagnostics;
using System.Diagnostics.Metrics;
using SnapshotService.Capture;
using SnapshotService.Core.Tests.Capture;
using SnapshotService.Log;
using SnapshotService.Storage;
using SnapshotService.Telemetry;
using SnapshotService.Testing;

namespace SnapshotService.Core.Tests.Telemetry;

/// <summary>Capture reports its metrics and spans under the "SnapshotService" names, per source, with units.</summary>
public sealed class CaptureTelemetryTests
{
    private const string SourceId = "telemetry-capture";

    [Fact]
    public async Task a_capture_run_reports_changes_bytes_stage_and_commit_durations_lag_and_gauges_for_its_source()
    {
        using var metrics = new RecordingMeterListener(SourceId);
        using var spans = new RecordingActivityListener(SourceId);
        using var dir = new TempDirectory();
        var store = new FileSystemObjectStore(dir.Path);
        var log = await ExportLog.OpenAsync(store, SourceId, new ExportLogOptions(), default);
        var options = new CaptureOptions { ReadBatchSize = 100, MaxCommitChanges = 500, MaxCommitDelay = TimeSpan.FromMilliseconds(20), ChannelCapacity = 4 };
        await using var pipeline = new CapturePipeline(new CountingSource(limit: 3_000), log, options);
        var gauges = SourceGauges.Track(SourceId);
        gauges.Pipeline = pipeline;
        gauges.HistoryHeadroomSeconds = 3_600;
        try
        {
            pipeline.Start();
            var deadline = DateTime.UtcNow.AddSeconds(30);
            while (pipeline.Head.LastSeq < 3_000)
            {
                Assert.True(DateTime.UtcNow < deadline, "capture did not commit 3,000 changes in 30 s");
                await Task.Delay(10);
            }
            metrics.RecordObservableInstruments();
            await pipeline.StopAsync(default);
        }
        finally
        {
            SourceGauges.Untrack(gauges);
        }

        Assert.Equal(3_000, metrics.Sum("snapshotservice.capture.changes"));
        Assert.True(metrics.Sum("snapshotservice.capture.bytes") > 3_000 * 8, "bytes counts the uncompressed documents");
        Assert.Equal("{change}", metrics.Unit("snapshotservice.capture.changes"));
        Assert.Equal("By", metrics.Unit("snapshotservice.capture.bytes"));
        var commits = log.Head.CommitNumber;
        Assert.Equal(commits, metrics.Count("snapshotservice.capture.commit.duration"));
        Assert.Equal("s", metrics.Unit("snapshotservice.capture.commit.duration"));
        Assert.All(metrics.Values("snapshotservice.capture.commit.duration"), d => Assert.InRange(d, 0, 30));
        foreach (var stage in new[] { "read", "hash", "write", "commit" })
        {
            Assert.True(metrics.Count("snapshotservice.capture.stage.duration", stage) > 0, $"no {stage} stage measured");
        }
        Assert.Equal(commits, metrics.Count("snapshotservice.capture.stage.duration", "commit"));
        Assert.All(metrics.Values("snapshotservice.capture.lag"), lag => Assert.True(lag >= 0));
        Assert.Equal(3_600, Assert.Single(metrics.Values("snapshotservice.source.history.headroom")));
        Assert.InRange(Assert.Single(metrics.Values("snapshotservice.capture.channel.depth")), 0, options.ChannelCapacity);
        Assert.Single(metrics.Values("snapshotservice.capture.lag.current"));
        Assert.Single(metrics.Values("snapshotservice.capture.position.age"));

        var commitSpans = spans.Completed.Where(a => a.OperationName == "capture.commit").ToList();
        Assert.Equal(commits, commitSpans.Count);
        Assert.Contains(spans.Completed, a => a.OperationName == "capture.read");
        // Each commit's stages are its children: hash (encode), then write (segment).
        var commitIds = commitSpans.Select(a => a.SpanId).ToHashSet();
        foreach (var stage in new[] { "capture.hash", "capture.write" })
        {
            var stageSpans = spans.Completed.Where(a => a.OperationName == stage).ToList();
            Assert.Equal(commits, stageSpans.Count);
            Assert.All(stageSpans, a => Assert.Contains(a.ParentSpanId, commitIds));
        }
    }

    [Fact]
    public void a_log_head_older_than_one_seen_before_counts_as_a_position_regression()
    {
        const string id = "telemetry-regression";
        using var metrics = new RecordingMeterListener(id);

        Assert.Null(LogHeadWatch.Observe(id, 10));
        Assert.Null(LogHeadWatch.Observe(id, 12));
        Assert.Equal(12, LogHeadWatch.Observe(id, 11));

        Assert.Equal(1, metrics.Sum("snapshotservice.capture.position.regressions"));
    }
}

/// <summary>Collects the SnapshotService meter's measurements tagged with one source id.</summary>
internal sealed class RecordingMeterListener : IDisposable
{
    private readonly MeterListener _listener = new();
    private readonly ConcurrentQueue<(string Name, string? Unit, double Value, string? Stage)> _measurements = new();

    public RecordingMeterListener(string sourceId)
    {
        _listener.InstrumentPublished = (instrument, listener) =>
        {
            if (instrument.Meter.Name == SnapshotServiceTelemetry.Name)
            {
                listener.EnableMeasurementEvents(instrument);
            }
        };
        void Record(Instrument instrument, double value, ReadOnlySpan<KeyValuePair<string, object?>> tags)
        {
            string? source = null;
            string? stage = null;
            foreach (var tag in tags)
            {
                if (tag.Key == SnapshotServiceTelemetry.SourceTag)
                {
                    source = tag.Value as string;
                }
                else if (tag.Key == CaptureMetrics.StageTag)
                {
                    stage = tag.Value as string;
                }
            }
            if (source == sourceId)
            {
                _measurements.Enqueue((instrument.Name, instrument.Unit, value, stage));
            }
        }
        _listener.SetMeasurementEventCallback<long>((instrument, value, tags, _) => Record(instrument, value, tags));
        _listener.SetMeasurementEventCallback<double>((instrument, value, tags, _) => Record(instrument, value, tags));
        _listener.Start();
    }

    public void RecordObservableInstruments() => _listener.RecordObservableInstruments();

    public double Sum(string name) => _measurements.Where(m => m.Name == name).Sum(m => m.Value);

    public long Count(string name, string? stage = null) => _measurements.Count(m => m.Name == name && (stage is null || m.Stage == stage));

    public IReadOnlyList<double> Values(string name) => [.. _measurements.Where(m => m.Name == name).Select(m => m.Value)];

    public string? Unit(string name) => _measurements.First(m => m.Name == name).Unit;

    public void Dispose() => _listener.Dispose();
}

/// <summary>Collects finished SnapshotService spans tagged with one source id.</summary>
internal sealed class RecordingActivityListener : IDisposable
{
    private readonly ActivityListener _listener;
    private readonly ConcurrentQueue<Activity> _completed = new();

    public RecordingActivityListener(string sourceId)
    {
        _listener = new ActivityListener
        {
            ShouldListenTo = source => source.Name == SnapshotServiceTelemetry.Name,
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
            ActivityStopped = activity =>
            {
                if (activity.GetTagItem(SnapshotServiceTelemetry.SourceTag) as string == sourceId)
                {
                    _completed.Enqueue(activity);
                }
            },
        };
        ActivitySource.AddActivityListener(_listener);
    }

    public IReadOnlyList<Activity> Completed => [.. _completed];

    public void Dispose() => _listener.Dispose();
}
