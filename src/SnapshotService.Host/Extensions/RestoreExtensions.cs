using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using SnapshotService.Configuration;
using SnapshotService.Host.Configuration;
using SnapshotService.Host.Restore;

namespace SnapshotService.Host.Extensions;

internal static class RestoreExtensions
{
    public const string RestoreSection = "SnapshotService:Restore";
    public const string ViewsSection = "SnapshotService:Views";

    /// <summary>Binds and validates SnapshotService:Restore and SnapshotService:Views; registers the target resolver and the run limiter.</summary>
    public static IHostApplicationBuilder AddSnapshotServiceRestore(this IHostApplicationBuilder builder)
    {
        builder.Services.AddOptions<RestoreOptions>().BindSection(RestoreSection).ValidateOnStart();
        builder.Services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<RestoreOptions>>(
            new ProblemsValidator<RestoreOptions>(o => o.Validate())));
        builder.Services.AddSingleton<RestoreTargets>();
        builder.Services.AddOptions<ViewWorkOptions>().BindSection(ViewsSection).ValidateOnStart();
        builder.Services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<ViewWorkOptions>>(
            new ProblemsValidator<ViewWorkOptions>(o => o.Validate())));
        builder.Services.AddSingleton<ViewWorkLimiter>();
        return builder;
    }
}
