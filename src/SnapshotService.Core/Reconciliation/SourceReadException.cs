namespace SnapshotService.Reconciliation;

/// <summary>The source could not be read, or returned what a scan must not (a key outside the range, keys out of order, invalid JSON). Fails the run.</summary>
internal sealed class SourceReadException(string message, Exception? inner = null) : Exception(message, inner);
