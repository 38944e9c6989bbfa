namespace SnapshotService.Host.Health;

/// <summary>Which health checks answer which probe.</summary>
internal static class HealthTags
{
    /// <summary>Liveness (<c>/healthz</c>, grpc.health.v1 service ""): restart the process when it fails.</summary>
    public const string Live = "live";

    /// <summary>Readiness (<c>/readyz</c>, grpc.health.v1 per service): send no traffic, alert, but do not restart.</summary>
    public const string Ready = "ready";
}
