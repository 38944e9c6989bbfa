using Microsoft.Extensions.Logging;
using SnapshotService.Capture;
using SnapshotService.Log;

namespace SnapshotService.Grains;

/// <summary>
/// Two activations of one source (docs/architecture.md, "Two activations at once"): writer
/// records, dropping the batch after a lost registration, and taking over from a fenced state as
/// soon as the writer that fenced this one is provably gone.
/// </summary>
public sealed partial class SourceGrain
{
    /// <summary>
    /// Deactivations after which another activation of this grain is (or is about to be) running:
    /// this one lost the directory registration, or its directory partition was lost.
    /// </summary>
    internal static bool AnotherActivationOwnsTheSource(DeactivationReasonCode code) =>
        code is DeactivationReasonCode.DuplicateActivation or DeactivationReasonCode.DirectoryFailure;

    /// <summary>Opens the log with a new writer and records that writer (where it runs) before its first commit.</summary>
    private async Task<ExportLog> OpenLogAsync(CancellationToken cancellationToken)
    {
        var log = await ExportLog.OpenAsync(store, _sourceId, new ExportLogOptions(), cancellationToken);
        await _writers!.RegisterAsync(log.WriterId, _siloAddress, time.GetUtcNow(), cancellationToken);
        return log;
    }

    /// <summary>
    /// Best effort: without the record a writer this one fenced only waits longer (for silence),
    /// so a store outage here must not fail the stop.
    /// </summary>
    private async Task RetireWriterAsync(string writerId, string why)
    {
        try
        {
            await _writers!.RetireAsync(writerId, why, time.GetUtcNow(), CancellationToken.None);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            LogRetireFailed(_sourceId, writerId, ex);
        }
    }

    /// <summary>
    /// A fenced writer stays stopped while the writer that fenced it may still commit. It takes
    /// over at once when that writer is provably gone (<see cref="FencingWinnerCheck"/>: retired,
    /// or its silo declared dead), and otherwise once the log head has not moved for
    /// <see cref="CaptureOptions.FencedTakeoverAfter"/> (a writer this cluster cannot see, e.g.
    /// another cluster on the same export store). Runs every <see cref="FenceWatchPeriod"/>.
    /// </summary>
    private async Task WatchFenceAsync(CancellationToken cancellationToken)
    {
        ObservePipeline();
        if (_pipeline is { Completion.IsCompleted: true } && _log is { } log && !_writerRetired)
        {
            // A pipeline that ended (fenced, failed) never commits again: say so at once, so a
            // writer this one fenced need not wait until the restart stops it.
            _writerRetired = true;
            await RetireWriterAsync(log.WriterId, $"capture stopped: {_failureReason}");
        }
        if (_state != SourceState.Failed || !_recovery.IsFenced || _winnerCheck is not { } check)
        {
            return;
        }
        long headCommit;
        string? gone;
        try
        {
            (headCommit, gone) = await check.CheckAsync(cancellationToken);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            LogFenceWatchFailed(_sourceId, ex);
            return;
        }
        string message;
        if (gone is not null)
        {
            message = $"{gone}; taking over from commit {headCommit}";
        }
        else if (_recovery.TakeFencedTakeover(headCommit, time.GetUtcNow()) is { } silence)
        {
            message = $"the log has not changed for {silence.TotalSeconds:F0} s since commit {headCommit}; the writer that fenced this one is gone, taking over";
        }
        else
        {
            return;
        }
        _events.Add("fenced_takeover", message);
        LogFencedTakeover(_sourceId, message);
        await StopCaptureAsync(CancellationToken.None, "fenced; a new writer takes over");
        await StartCaptureAsync(CancellationToken.None);
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Source {SourceId}: {Message}")]
    private partial void LogFencedTakeover(string sourceId, string message);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Source {SourceId}: deactivating ({Reason}); another activation owns the source, so the uncommitted batch is dropped (the survivor re-reads it from the committed position)")]
    private partial void LogDeactivatingAfterLostRace(string sourceId, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Source {SourceId}: could not record writer {WriterId} as retired; a writer it fenced waits for silence instead")]
    private partial void LogRetireFailed(string sourceId, string writerId, Exception error);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Source {SourceId}: fenced; could not check whether the writer that fenced this one is gone (retried in a second)")]
    private partial void LogFenceWatchFailed(string sourceId, Exception error);
}
