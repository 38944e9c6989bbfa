namespace SnapshotService.Errors;

/// <summary>The kind of a refused request; maps one-to-one to a gRPC status code.</summary>
public enum ErrorKind
{
    /// <summary>The request is malformed or out of range (gRPC INVALID_ARGUMENT, HTTP 400).</summary>
    InvalidArgument = 0,

    /// <summary>The source, snapshot or report does not exist (NOT_FOUND, 404).</summary>
    NotFound = 1,

    /// <summary>The request is valid but the system is not in a state to do it (FAILED_PRECONDITION, 400).</summary>
    FailedPrecondition = 2,

    /// <summary>The thing to create exists already (ALREADY_EXISTS, 409).</summary>
    AlreadyExists = 3,

    /// <summary>A quota or bounded queue is full (RESOURCE_EXHAUSTED, 429).</summary>
    ResourceExhausted = 4,

    /// <summary>Another writer owns the source's log (ABORTED, 409).</summary>
    Conflict = 5,
}

/// <summary>
/// A refusal that tells the user what to fix. Thrown by Core and grains, turned into a gRPC
/// status by the Host. <see cref="Field"/> names the request field at fault, when there is one.
/// </summary>
[GenerateSerializer]
[Alias("SnapshotService.SnapshotServiceException")]
public sealed class SnapshotServiceException : Exception
{
    /// <summary>Creates a refusal.</summary>
    public SnapshotServiceException(ErrorKind kind, string message, string? field = null)
        : base(message)
    {
        Kind = kind;
        Field = field;
    }

    /// <summary>The kind of refusal.</summary>
    [Id(0)]
    public ErrorKind Kind { get; }

    /// <summary>The request field at fault (snake_case as in the API), or null.</summary>
    [Id(1)]
    public string? Field { get; }

    /// <summary>Shorthand for <see cref="ErrorKind.InvalidArgument"/>.</summary>
    public static SnapshotServiceException InvalidArgument(string field, string message) => new(ErrorKind.InvalidArgument, message, field);

    /// <summary>Shorthand for <see cref="ErrorKind.NotFound"/>.</summary>
    public static SnapshotServiceException NotFound(string message, string? field = null) => new(ErrorKind.NotFound, message, field);

    /// <summary>Shorthand for <see cref="ErrorKind.FailedPrecondition"/>.</summary>
    public static SnapshotServiceException FailedPrecondition(string message, string? field = null) => new(ErrorKind.FailedPrecondition, message, field);
}
