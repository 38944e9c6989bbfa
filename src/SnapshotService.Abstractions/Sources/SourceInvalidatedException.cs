namespace SnapshotService.Sources;

/// <summary>
/// Thrown by <see cref="IChangeSource.ReadChangesAsync"/> when the source's stream ended for good:
/// the collection was dropped or renamed, or the change stream was invalidated. The source grain
/// moves to the <c>Invalidated</c> state with <see cref="Exception.Message"/> as the reason and
/// stops capture; nothing after the last committed position is silently skipped. The position in
/// <see cref="PositionBeforeInvalidation"/> (when known) is what a user would resume from after
/// recreating the collection.
/// </summary>
public sealed class SourceInvalidatedException : Exception
{
    /// <summary>Creates the exception with the reason a user reads.</summary>
    public SourceInvalidatedException(string message, SourcePosition? positionBeforeInvalidation = null, Exception? innerException = null)
        : base(message, innerException)
    {
        PositionBeforeInvalidation = positionBeforeInvalidation;
    }

    /// <summary>The last position before the invalidating event, when the adapter knows it.</summary>
    public SourcePosition? PositionBeforeInvalidation { get; }
}
