using Grpc.Core;

namespace SnapshotService.Cli;

/// <summary>Exit codes by failure family, so scripts can branch without parsing messages.</summary>
public static class ExitCodes
{
    public const int Ok = 0;
    public const int Other = 1;
    /// <summary>Usage errors and INVALID_ARGUMENT.</summary>
    public const int InvalidArgument = 2;
    public const int NotFound = 3;
    public const int FailedPrecondition = 4;
    /// <summary><c>sources verify</c> found gaps, duplicates, checksum failures or other problems; <c>snapshots restore</c> found the target differing from the snapshot.</summary>
    public const int VerificationFailed = 5;
    /// <summary>UNAUTHENTICATED: no or a wrong API key / token.</summary>
    public const int Unauthenticated = 6;
    /// <summary>PERMISSION_DENIED: the caller's role may not do this (e.g. a reader creating a snapshot).</summary>
    public const int PermissionDenied = 7;

    public static int For(StatusCode code) => code switch
    {
        StatusCode.InvalidArgument or StatusCode.OutOfRange => InvalidArgument,
        StatusCode.NotFound => NotFound,
        StatusCode.FailedPrecondition => FailedPrecondition,
        StatusCode.Unauthenticated => Unauthenticated,
        StatusCode.PermissionDenied => PermissionDenied,
        _ => Other,
    };
}
