using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using SnapshotService.Configuration;
using SnapshotService.Host.Configuration;
using SnapshotService.Host.Restore;

namespace SnapshotService.Host.Extensions;

internal static class RestoreExtensions
{
    public const string RestoreSection = "SnapshotService:Restore";

    /// <summary>Binds and validates SnapshotService:Restore and registers the target resolver.</summary>
    public static IHostApplicationBuilder AddSnapshotServiceRestore(this IHostApplicationBuilder builder)
    {
        builder.Services.AddOptions<RestoreOptions>().BindSection(RestoreSection).ValidateOnStart();
        builder.Services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<RestoreOptions>>(
            new ProblemsValidator<RestoreOptions>(o => o.Validate())));
        builder.Services.AddSingleton<RestoreTargets>();
        return builder;
    }
}
