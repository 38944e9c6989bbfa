using System.Diagnostics;
using SnapshotService.Capture;
using SnapshotService.Log;
using SnapshotService.Sources;
using SnapshotService.Storage;

namespace SnapshotService.Compliance;

/// <summary>Captures a target into an in-memory export log with the real pipeline, and compares the export with the collection.</summary>
public sealed class ComplianceCapture(IComplianceTarget target) : IAsyncDisposable
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);
    private IChangeSource? _source;
    private CapturePipeline? _pipeline;

    public InMemoryObjectStore Store { get; } = new();

    /// <summary>Positions of every commit, in commit order.</summary>
    public List<SourcePosition> CommittedPositions { get; } = [];

    public List<SourceNotice> Notices { get; } = [];

    public async Task StartAsync()
    {
        var log = await ExportLog.OpenAsync(Store, target.SourceId, new ExportLogOptions(), default);
        _source = target.CreateSource();
        _pipeline = new CapturePipeline(_source, log, new CaptureOptions { MaxCommitDelay = TimeSpan.FromMilliseconds(20), PositionOnlyCommitInterval = TimeSpan.FromMilliseconds(200) });
        _pipeline.Start();
    }

    /// <summary>Stops capture as a restart would (what was read is committed), and disposes the adapter.</summary>
    public async Task StopAsync()
    {
        if (_pipeline is { } pipeline)
        {
            await pipeline.StopAsync(default);
            await pipeline.Completion;
            Notices.AddRange(pipeline.TakeCommittedNotices());
            await pipeline.DisposeAsync();
            _pipeline = null;
        }
        if (_source is { } source)
        {
            await source.DisposeAsync();
            _source = null;
        }
    }

    /// <summary>Waits until the export's live state equals the collection as the adapter scans it; fails with the difference after a minute.</summary>
    public async Task WaitUntilCaughtUpAsync()
    {
        var watch = Stopwatch.StartNew();
        string difference;
        while (true)
        {
            await _pipeline!.FlushAsync(default);
            Notices.AddRange(_pipeline.TakeCommittedNotices());
            difference = await DifferenceAsync();
            if (difference.Length == 0)
            {
                return;
            }
            if (_pipeline.Completion.IsFaulted)
            {
                await _pipeline.Completion; // surfaces the adapter's error
            }
            if (watch.Elapsed > Patience)
            {
                Assert.Fail($"The export did not catch up with the collection within {Patience.TotalSeconds} s: {difference}");
            }
            await Task.Delay(50);
        }
    }

    /// <summary>Every record of the log, in seq order.</summary>
    public async Task<List<LogRecord>> RecordsAsync()
    {
        var reader = new ExportLogReader(Store, target.SourceId);
        var head = await reader.ReadHeadAsync(default);
        var records = new List<LogRecord>();
        CommittedPositions.Clear();
        for (long n = 1; n <= head.CommitNumber; n++)
        {
            var commit = (await reader.ReadCommitAsync(n, default))!;
            CommittedPositions.Add(commit.Position);
            foreach (var segment in commit.Segments)
            {
                records.AddRange(SegmentCodec.ParseLines(segment.Name, await reader.ReadSegmentAsync(commit, segment, default)));
            }
        }
        return records;
    }

    /// <summary>"" when the export's live keys and content hashes equal the collection's; else a short description.</summary>
    public async Task<string> DifferenceAsync()
    {
        await using var scanner = target.CreateSource();
        return await ExportComparison.DifferenceAsync(Store, target.SourceId, scanner);
    }

    public async ValueTask DisposeAsync() => await StopAsync();
}
