using Microsoft.Extensions.Options;
using SnapshotService.Host.Configuration;

namespace SnapshotService.Host.Extensions;

internal static class ConfigurationExtensions
{
    /// <summary>Binds and validates (at start) the <c>SnapshotService</c> host settings.</summary>
    public static IHostApplicationBuilder AddSnapshotServiceConfiguration(this IHostApplicationBuilder builder)
    {
        builder.Services.AddSingleton<IValidateOptions<SnapshotServiceHostOptions>, SnapshotServiceHostOptionsValidator>();
        builder.Services.AddSingleton<IValidateOptions<SnapshotServiceHostOptions>, ClusterSettingsValidator>();
        builder.Services.AddOptions<SnapshotServiceHostOptions>()
            .BindSection(SnapshotServiceHostOptions.SectionName)
            .ValidateOnStart();
        return builder;
    }

    /// <summary>
    /// Reads settings needed while the host is being built (before options exist). Never throws:
    /// a bad value yields the default here and is reported by start-up validation instead.
    /// </summary>
    public static T ReadLeniently<T>(this IConfiguration configuration, string sectionPath)
        where T : class, new()
    {
        try
        {
            return configuration.GetSection(sectionPath).Get<T>() ?? new T();
        }
        catch (InvalidOperationException)
        {
            return new T();
        }
    }
}
