using System.Collections.Concurrent;
using Microsoft.Extensions.Options;
using SnapshotService.Simulated;
using SnapshotService.Sources;
using SnapshotService.Sources.Cosmos;
using SnapshotService.Sources.Mongo;

namespace SnapshotService.Host.Sources;

/// <summary>Creates change sources from <c>SnapshotService:Sources</c> (validated at start).</summary>
/// <remarks>
/// Options are read on first use, not in the constructor: the silo builds this factory while the
/// host resolves its services, before start-up validation runs, and reading them there would
/// report only this section's problems instead of every configuration problem at once.
/// </remarks>
internal sealed class ConfiguredChangeSourceFactory(IOptions<SourcesOptions> options, TimeProvider timeProvider, ILoggerFactory loggerFactory) : IChangeSourceFactory
{
    // One "now" per simulated source, shared by capture, reconciliation and repair (see SimulatedRateClock).
    private readonly ConcurrentDictionary<string, SimulatedRateClock> _clocks = new(StringComparer.Ordinal);
    private IReadOnlyList<string>? _sourceIds;

    public IReadOnlyList<string> SourceIds => _sourceIds ??= [.. Sources.Keys];

    private Dictionary<string, SourceSettings> Sources => options.Value.Sources;

    public string? KindOf(string sourceId) =>
        Sources.TryGetValue(sourceId, out var settings) ? settings.Kind : null;

    public IChangeSource Create(string sourceId)
    {
        if (!Sources.TryGetValue(sourceId, out var settings))
        {
            throw new KeyNotFoundException($"source '{sourceId}' is not configured; configured sources: {string.Join(", ", SourceIds)}");
        }
        return settings.Kind switch
        {
            SourcesOptions.SimulatedKind => new SimulatedSource(sourceId, settings.Simulated, clock: _clocks.GetOrAdd(sourceId, _ => new SimulatedRateClock(timeProvider))),
            SourcesOptions.MongoKind => new MongoChangeSource(sourceId, settings.Mongo, timeProvider, loggerFactory.CreateLogger<MongoChangeSource>()),
            SourcesOptions.CosmosKind => new CosmosChangeSource(sourceId, settings.Cosmos, timeProvider),
            // Unreachable after start-up validation; kept so a new kind cannot be half-added.
            _ => throw new InvalidOperationException($"Configuration for source '{sourceId}' is invalid: Kind '{settings.Kind}' is not supported; use {SourcesOptions.SupportedKinds}."),
        };
    }
}
