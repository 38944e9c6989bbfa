using Microsoft.Extensions.Options;
using SnapshotService.Host.Configuration;
using SnapshotService.Host.Grpc;
using SnapshotService.Host.Sources;
using SnapshotService.Sources;

namespace SnapshotService.Host.Extensions;

internal static class SourcesExtensions
{
    /// <summary>The configured sources (SnapshotService:Sources), validated at start, and the factory the grains use.</summary>
    public static IHostApplicationBuilder AddSnapshotServiceSources(this IHostApplicationBuilder builder)
    {
        builder.Services.AddSingleton<IValidateOptions<SourcesOptions>, SourcesOptionsValidator>();
        builder.Services.AddOptions<SourcesOptions>()
            .BindSection(SourcesOptions.SectionName, (section, options) => section.Bind(options.Sources))
            .ValidateOnStart();
        builder.Services.AddSingleton<IChangeSourceFactory, ConfiguredChangeSourceFactory>();
        builder.Services.AddSingleton<SourceCatalog>();
        return builder;
    }
}
