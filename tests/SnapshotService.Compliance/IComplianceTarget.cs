using SnapshotService.Sources;

namespace SnapshotService.Compliance;

/// <summary>
/// A collection the compliance suite can change and capture: a simulated source whose history is
/// released change by change, a collection on the MongoDB test server (or a real replica set), a
/// Cosmos DB container. Each test gets a fresh, empty target.
/// </summary>
public interface IComplianceTarget : IAsyncDisposable
{
    /// <summary>The source id the adapter reports.</summary>
    string SourceId { get; }

    /// <summary>
    /// Makes <paramref name="count"/> more changes to the collection — inserts, updates and some
    /// deletes of keys it chooses — each one event in the source's stream; returns how many were deletes.
    /// </summary>
    Task<int> MakeChangesAsync(int count, CancellationToken cancellationToken);

    /// <summary>Changes made so far (events in the source's stream).</summary>
    long ChangesMade { get; }

    /// <summary>A new adapter instance over the collection (a restart is: dispose the old one, create a new one).</summary>
    IChangeSource CreateSource();
}
