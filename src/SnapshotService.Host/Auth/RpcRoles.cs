namespace SnapshotService.Host.Auth;

/// <summary>
/// The role every RPC of the API needs, by gRPC method path. One table, so a review sees the
/// whole policy at once; a test fails if an RPC of a snapshotservice.v1 service is missing here
/// (new RPCs are denied until they are added — fail closed).
/// </summary>
public static class RpcRoles
{
    /// <summary>The package of our services; other services (grpc.health.v1, reflection) are anonymous.</summary>
    public const string ApiPackagePrefix = "/snapshotservice.v1.";

    /// <summary>Method path → role.</summary>
    public static IReadOnlyDictionary<string, string> ByMethod { get; } = new Dictionary<string, string>(StringComparer.Ordinal)
    {
        ["/snapshotservice.v1.Sources/ListSources"] = Roles.Reader,
        ["/snapshotservice.v1.Sources/GetSource"] = Roles.Reader,
        ["/snapshotservice.v1.Sources/VerifyLog"] = Roles.Reader,
        ["/snapshotservice.v1.Sources/PauseSource"] = Roles.Operator,
        ["/snapshotservice.v1.Sources/ResumeSource"] = Roles.Operator,
        ["/snapshotservice.v1.Sources/BackfillSource"] = Roles.Operator,

        ["/snapshotservice.v1.Snapshots/GetSnapshot"] = Roles.Reader,
        ["/snapshotservice.v1.Snapshots/ListSnapshots"] = Roles.Reader,
        ["/snapshotservice.v1.Snapshots/ReadViewFile"] = Roles.Reader,
        ["/snapshotservice.v1.Snapshots/CreateSnapshot"] = Roles.Operator,
        ["/snapshotservice.v1.Snapshots/DeleteSnapshot"] = Roles.Operator,
        ["/snapshotservice.v1.Snapshots/MaterializeSnapshot"] = Roles.Operator,
        ["/snapshotservice.v1.Snapshots/RestoreSnapshot"] = Roles.Operator,

        ["/snapshotservice.v1.Reconciliation/GetDriftReport"] = Roles.Reader,
        ["/snapshotservice.v1.Reconciliation/ListDriftReports"] = Roles.Reader,
        ["/snapshotservice.v1.Reconciliation/ListDriftKeys"] = Roles.Reader,
        ["/snapshotservice.v1.Reconciliation/ListDriftEpisodes"] = Roles.Reader,
        ["/snapshotservice.v1.Reconciliation/ListSchedules"] = Roles.Reader,
        ["/snapshotservice.v1.Reconciliation/RunReconciliation"] = Roles.Operator,
        ["/snapshotservice.v1.Reconciliation/RunReconciliationStream"] = Roles.Operator,
        ["/snapshotservice.v1.Reconciliation/SetSchedule"] = Roles.Operator,
        ["/snapshotservice.v1.Reconciliation/DeleteSchedule"] = Roles.Operator,

        ["/snapshotservice.v1.Schemas/GetSchema"] = Roles.Reader,
        ["/snapshotservice.v1.Schemas/DiffSchemas"] = Roles.Reader,
        ["/snapshotservice.v1.Schemas/GetContract"] = Roles.Reader,
        ["/snapshotservice.v1.Schemas/SetContract"] = Roles.Operator,
        ["/snapshotservice.v1.Schemas/DeleteContract"] = Roles.Operator,

        ["/snapshotservice.v1.DeadLetters/ListDeadLetters"] = Roles.Reader,
        ["/snapshotservice.v1.DeadLetters/RetryDeadLetters"] = Roles.Operator,
        ["/snapshotservice.v1.DeadLetters/DiscardDeadLetters"] = Roles.Operator,
    };
}
