using SnapshotService.Errors;
using SnapshotService.Grains;

namespace SnapshotService.Reconciliation.Schedules;

/// <summary>Modes and repair policies as spelled in schedule files and the API.</summary>
public static class ScheduleNames
{
    /// <summary><c>full</c> or <c>incremental</c>.</summary>
    public static string NameOf(ReconcileMode mode) => mode == ReconcileMode.Incremental ? "incremental" : "full";

    /// <summary><c>auto</c> or <c>report_only</c>.</summary>
    public static string NameOf(RepairPolicy policy) => policy == RepairPolicy.ReportOnly ? "report_only" : "auto";

    /// <summary>Parses a mode; empty means <paramref name="whenEmpty"/>. Anything else is refused naming <c>mode</c>.</summary>
    public static ReconcileMode ParseMode(string? mode, ReconcileMode whenEmpty) => mode switch
    {
        null or "" => whenEmpty,
        "full" => ReconcileMode.Full,
        "incremental" => ReconcileMode.Incremental,
        _ => throw SnapshotServiceException.InvalidArgument("mode", $"mode '{Truncate(mode)}' is not a reconciliation mode; use full or incremental."),
    };

    /// <summary>Parses a repair policy; empty means <paramref name="whenEmpty"/>. Anything else is refused naming <c>repair_policy</c>.</summary>
    public static RepairPolicy ParsePolicy(string? policy, RepairPolicy whenEmpty) => policy switch
    {
        null or "" => whenEmpty,
        "auto" => RepairPolicy.Auto,
        "report_only" => RepairPolicy.ReportOnly,
        _ => throw SnapshotServiceException.InvalidArgument("repair_policy", $"repair_policy '{Truncate(policy)}' is not a repair policy; use auto (repair drift) or report_only (only write the drift report)."),
    };

    private static string Truncate(string value) => value.Length <= 60 ? value : value[..60] + "…";
}
