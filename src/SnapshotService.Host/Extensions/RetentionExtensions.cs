using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using SnapshotService.Configuration;
using SnapshotService.Host.Configuration;
using SnapshotService.Retention;

namespace SnapshotService.Host.Extensions;

internal static class RetentionExtensions
{
    public const string RetentionSection = "SnapshotService:Retention";

    /// <summary>Binds and validates SnapshotService:Retention (the source grains run it in their maintenance).</summary>
    public static IHostApplicationBuilder AddSnapshotServiceRetention(this IHostApplicationBuilder builder)
    {
        builder.Services.AddOptions<RetentionOptions>().BindSection(RetentionSection).ValidateOnStart();
        builder.Services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<RetentionOptions>>(
            new ProblemsValidator<RetentionOptions>(o => o.Validate())));
        return builder;
    }
}
