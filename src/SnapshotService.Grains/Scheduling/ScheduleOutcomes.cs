using System.Text.RegularExpressions;
using SnapshotService.Errors;
using SnapshotService.Reconciliation.Reports;

namespace SnapshotService.Grains.Scheduling;

/// <summary>
/// The words a schedule's <c>last_outcome</c> is made of. Operators and alerts read them, so they
/// start with a fixed word (<c>running</c>, <c>succeeded</c>, <c>failed:</c>, <c>skipped:</c>,
/// <c>unknown:</c>) and carry the server's own reason after the colon.
/// </summary>
internal static partial class ScheduleOutcomes
{
    public const string Running = "running";

    public const string Succeeded = "succeeded";

    /// <summary>After a restart, a firing whose outcome was never recorded.</summary>
    public const string Interrupted = "unknown: the service stopped while this run was in flight; if the run finished, its report is listed by ListDriftReports";

    public static string Failed(string reason) => "failed: " + reason;

    public static string Skipped(string runningReportId) => $"skipped: a reconciliation was already running (report_id {runningReportId})";

    /// <summary>The outcome of a run that returned a report.</summary>
    public static string Of(DriftReport report) =>
        report.Status == DriftReportStatus.Succeeded ? Succeeded : Failed(report.FailureReason ?? "the report gives no reason");

    /// <summary>
    /// The outcome of a run that was refused or broke before it returned a report. A refusal
    /// because another run of the source is in flight is a skip: the scheduler does not retry it,
    /// the next occurrence runs as usual.
    /// </summary>
    public static string Of(Exception error) => error switch
    {
        SnapshotServiceException { Kind: ErrorKind.FailedPrecondition } refusal when RunningReport().Match(refusal.Message) is { Success: true } match =>
            Skipped(match.Groups["id"].Value),
        SnapshotServiceException refusal => Failed(refusal.Message),
        TimeoutException => "unknown: the run did not answer within its 10-minute response timeout; it may still finish and write its report (see ListDriftReports)",
        _ => Failed($"{error.GetType().Name}: {error.Message}"),
    };

    // The reconciliation grain's refusal names the running report: "… is running (report_id drift-…); …".
    [GeneratedRegex(@"is running \(report_id (?<id>[^)\s]+)\)", RegexOptions.CultureInvariant)]
    private static partial Regex RunningReport();
}
