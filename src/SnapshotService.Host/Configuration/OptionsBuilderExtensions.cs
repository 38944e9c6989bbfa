using Microsoft.Extensions.Options;

namespace SnapshotService.Host.Configuration;

internal static class OptionsBuilderExtensions
{
    /// <summary>
    /// Binds <paramref name="sectionPath"/> and turns binder failures ("abc" for a port) into
    /// validation failures, so every configuration mistake reaches the operator the same way:
    /// one message per problem, naming the setting, before anything starts.
    /// </summary>
    public static OptionsBuilder<T> BindSection<T>(this OptionsBuilder<T> builder, string sectionPath, Action<IConfigurationSection, T>? bind = null)
        where T : class =>
        builder.Configure<IConfiguration>((options, configuration) =>
        {
            var section = configuration.GetSection(sectionPath);
            try
            {
                if (bind is null)
                {
                    section.Bind(options);
                }
                else
                {
                    bind(section, options);
                }
            }
            catch (InvalidOperationException ex)
            {
                throw new OptionsValidationException(builder.Name, typeof(T), [ex.Message]);
            }
        });
}
