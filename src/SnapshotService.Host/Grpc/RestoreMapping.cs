using Google.Protobuf.WellKnownTypes;
using SnapshotService.Restore;
using V1 = SnapshotService.Api.V1;

namespace SnapshotService.Host.Grpc;

/// <summary>Restore progress and verification ↔ API messages.</summary>
internal static class RestoreMapping
{
    public static V1.RestoreProgress ToApi(this RestoreProgress progress)
    {
        var message = new V1.RestoreProgress
        {
            DocumentsDone = (ulong)Math.Max(0, progress.Documents),
            DocumentsTotal = (ulong)Math.Max(0, progress.TotalDocuments),
            Upserted = (ulong)Math.Max(0, progress.Upserted),
            Deleted = (ulong)Math.Max(0, progress.Deleted),
            Unchanged = (ulong)Math.Max(0, progress.Unchanged),
            DocumentsPerSecond = progress.DocumentsPerSecond,
            Elapsed = Duration.FromTimeSpan(progress.Elapsed),
        };
        if (progress.Remaining is { } remaining)
        {
            message.Remaining = Duration.FromTimeSpan(remaining);
        }
        return message;
    }

    public static V1.RestoreVerification ToApi(this RestoreResult result) => new()
    {
        Ok = result.Verification.Ok,
        Target = result.Target,
        TargetDocuments = (ulong)Math.Max(0, result.Verification.TargetDocuments),
        TargetChecksum = result.Verification.TargetChecksum,
        ViewDocuments = (ulong)Math.Max(0, result.Verification.ViewDocuments),
        ViewChecksum = result.Verification.ViewChecksum,
        Missing = (ulong)Math.Max(0, result.Verification.Missing),
        Extra = (ulong)Math.Max(0, result.Verification.Extra),
        Modified = (ulong)Math.Max(0, result.Verification.Modified),
    };
}
