using Microsoft.Extensions.Options;
using SnapshotService.Simulated;
using SnapshotService.Sources;

namespace SnapshotService.Host.Sources;

/// <summary>Creates change sources from <c>SnapshotService:Sources</c> (validated at start).</summary>
internal sealed class ConfiguredChangeSourceFactory : IChangeSourceFactory
{
    private readonly SourcesOptions _options;
    private readonly TimeProvider _timeProvider;

    public ConfiguredChangeSourceFactory(IOptions<SourcesOptions> options, TimeProvider timeProvider)
    {
        _options = options.Value;
        _timeProvider = timeProvider;
        SourceIds = [.. _options.Sources.Keys];
    }

    public IReadOnlyList<string> SourceIds { get; }

    public string? KindOf(string sourceId) =>
        _options.Sources.TryGetValue(sourceId, out var settings) ? settings.Kind : null;

    public IChangeSource Create(string sourceId)
    {
        if (!_options.Sources.TryGetValue(sourceId, out var settings))
        {
            throw new KeyNotFoundException($"source '{sourceId}' is not configured; configured sources: {string.Join(", ", SourceIds)}");
        }
        return settings.Kind switch
        {
            SourcesOptions.SimulatedKind => new SimulatedSource(sourceId, settings.Simulated, _timeProvider),
            // Unreachable after start-up validation; kept so a new kind cannot be half-added.
            _ => throw new InvalidOperationException($"Configuration for source '{sourceId}' is invalid: Kind '{settings.Kind}' is not supported; use '{SourcesOptions.SimulatedKind}'."),
        };
    }
}
