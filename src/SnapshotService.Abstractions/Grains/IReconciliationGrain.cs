using Orleans.Concurrency;

namespace SnapshotService.Grains;

/// <summary>
/// One grain per source (keyed by source id): runs reconciliations of that source's export against
/// the source, one at a time, repairs drift through the source's SourceGrain unless asked for a
/// dry run, and persists each run's drift report.
/// </summary>
[Alias("SnapshotService.IReconciliationGrain")]
public interface IReconciliationGrain : IGrainWithStringKey
{
    /// <summary>
    /// Runs one reconciliation and returns its persisted report's id once the report is written
    /// (read the report through the export's report store). The run happens on the thread pool; the
    /// call interleaves, so a second run requested meanwhile is refused with FailedPrecondition
    /// naming the running report instead of queueing behind it.
    /// </summary>
    /// <remarks>
    /// The response timeout is 10 minutes: a full run reads the whole source, so a large source can
    /// take minutes. A run longer than that still finishes and writes its report, but the caller
    /// sees a timeout and must find the report by listing.
    /// </remarks>
    [Alias("Run")]
    [AlwaysInterleave]
    [ResponseTimeout("00:10:00")]
    Task<ReconcileOutcome> RunAsync(ReconcileCommand command);

    /// <summary>The running reconciliation's progress, or null when none is running.</summary>
    [Alias("GetProgress")]
    [AlwaysInterleave]
    Task<ReconcileProgress?> GetProgressAsync();
}
