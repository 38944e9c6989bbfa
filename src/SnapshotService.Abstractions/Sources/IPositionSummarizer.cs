namespace SnapshotService.Sources;

/// <summary>
/// Implemented by adapters whose position tokens are not meant for people (MongoDB's carries a
/// resume token and backfill state as JSON): GetSource shows this summary instead of the token.
/// </summary>
public interface IPositionSummarizer
{
    /// <summary>One readable line for <paramref name="position"/>, e.g. "stream at 2026-11-23T21:40:00Z #3; backfill #1: chunk 4".</summary>
    string Summarize(SourcePosition position);
}
