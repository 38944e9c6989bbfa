using SnapshotService.Log;
using SnapshotService.Simulated;
using SnapshotService.Sources;
using SnapshotService.State;
using SnapshotService.Storage;

namespace SnapshotService.Core.Tests.Reconciliation;

/// <summary>
/// A simulated source writing at its rate, captured into a real export log by a loop that runs
/// beside the test (as the source grain's pipeline does): reconciliation runs taken meanwhile
/// compare an export that is always a little behind the source.
/// </summary>
internal sealed class LiveCapture : IAsyncDisposable
{
    public const string SourceId = "live";

    private readonly CancellationTokenSource _stop = new();
    private Task _loop = Task.CompletedTask;

    private LiveCapture(InMemoryObjectStore store, SimulatedSource source, ExportLog log)
    {
        Store = store;
        Source = source;
        Log = log;
    }

    public InMemoryObjectStore Store { get; }

    public SimulatedSource Source { get; }

    public ExportLog Log { get; }

    public ExportLogReader Reader => new(Store, SourceId);

    public static async Task<LiveCapture> StartAsync(SimulatedSourceOptions options)
    {
        var store = new InMemoryObjectStore();
        var capture = new LiveCapture(store, new SimulatedSource(SourceId, options), await ExportLog.OpenAsync(store, SourceId, new ExportLogOptions(), default));
        capture._loop = Task.Run(() => capture.CaptureAsync(capture._stop.Token));
        return capture;
    }

    /// <summary>Waits until capture has committed at least <paramref name="seq"/> records.</summary>
    public async Task WaitForSeqAsync(long seq)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(60);
        while (Log.Head.LastSeq < seq)
        {
            Assert.True(DateTime.UtcNow < deadline, $"capture committed only {Log.Head.LastSeq} records of the {seq} the test waits for");
            Assert.False(_loop.IsFaulted, $"capture failed: {_loop.Exception}");
            await Task.Delay(10);
        }
    }

    /// <summary>Compacts the live state (as a reconciliation run does first), so the runs compare several ranges.</summary>
    public Task CompactAsync() => LiveStateCompactor.CompactAsync(Store, SourceId, new LiveStateOptions { MaxKeysPerRange = 64 }, default);

    /// <summary>Stops capture (the source keeps writing: its clock runs on).</summary>
    public async Task StopAsync()
    {
        await _stop.CancelAsync();
        try
        {
            await _loop;
        }
        catch (OperationCanceledException)
        {
            // stopped
        }
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync();
        _stop.Dispose();
    }

    private async Task CaptureAsync(CancellationToken cancellationToken)
    {
        var position = SourcePosition.Start;
        while (!cancellationToken.IsCancellationRequested)
        {
            var batch = await Source.ReadChangesAsync(position, 200, cancellationToken);
            await Log.AppendAsync(batch.Changes, batch.PositionAfter, cancellationToken);
            position = batch.PositionAfter;
        }
    }
}
