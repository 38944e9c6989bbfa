using Microsoft.Extensions.Options;

namespace SnapshotService.Host.Sources;

/// <summary>
/// Checks every configured source at start, so a typo stops the host with a message naming the
/// source and the setting instead of failing later inside a grain.
/// </summary>
internal sealed class SourcesOptionsValidator : IValidateOptions<SourcesOptions>
{
    public ValidateOptionsResult Validate(string? name, SourcesOptions options)
    {
        var problems = new List<string>();
        foreach (var (id, settings) in options.Sources)
        {
            var idProblem = SourceIds.Check(id);
            if (idProblem is not null)
            {
                problems.Add($"Configuration for source '{id}' is invalid: the key of SnapshotService:Sources:{id} is not a valid source id: {idProblem}");
                continue;
            }
            if (string.IsNullOrWhiteSpace(settings.Kind))
            {
                problems.Add($"Configuration for source '{id}' is invalid: Kind is required (SnapshotService:Sources:{id}:Kind); use {SourcesOptions.SupportedKinds}.");
                continue;
            }
            switch (settings.Kind)
            {
                case SourcesOptions.SimulatedKind:
                    problems.AddRange(settings.Simulated.Validate(id));
                    break;
                case SourcesOptions.MongoKind:
                    // Only static problems here; reachability, auth and the collection are checked by
                    // the source at run time, so one unreachable database fails one source, not the host.
                    problems.AddRange(settings.Mongo.Validate(id));
                    break;
                case SourcesOptions.CosmosKind:
                    // Only static problems here; reachability, auth, the container and the feed mode
                    // are checked by the source at run time, so one bad account fails one source.
                    problems.AddRange(settings.Cosmos.Validate(id));
                    break;
                default:
                    problems.Add($"Configuration for source '{id}' is invalid: Kind '{settings.Kind}' is not supported; use {SourcesOptions.SupportedKinds}.");
                    break;
            }
        }
        return problems.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(problems);
    }
}
