using Microsoft.Extensions.Options;

namespace SnapshotService.Host.Extensions;

/// <summary>The host's composition root: what Program.cs calls.</summary>
public static class SnapshotServiceExtensions
{
    /// <summary>Exit code when the configuration is invalid (EX_CONFIG of sysexits.h).</summary>
    public const int ConfigurationErrorExitCode = 78;

    /// <summary>Registers configuration, logging, Kestrel endpoints, storage, sources, the silo and the API.</summary>
    public static WebApplicationBuilder AddSnapshotService(this WebApplicationBuilder builder)
    {
        builder.AddSnapshotServiceConfiguration();
        builder.AddSnapshotServiceLogging();
        builder.AddSnapshotServiceTelemetry();
        builder.AddSnapshotServiceEndpoints();
        builder.AddSnapshotServiceStorage();
        builder.AddSnapshotServiceSources();
        builder.AddSnapshotServiceSilo();
        builder.AddSnapshotServiceRetention();
        builder.AddSnapshotServiceRestore();
        builder.AddSnapshotServiceAuth();
        builder.AddSnapshotServiceApi();
        return builder;
    }

    /// <summary>Maps gRPC services, JSON routes, reflection, health endpoints and the operator page (/ui).</summary>
    public static WebApplication MapSnapshotService(this WebApplication app)
    {
        app.UseSnapshotServiceAuth();
        app.MapSnapshotServiceApi();
        app.MapSnapshotServiceMetrics();
        app.MapOperatorPage();
        return app;
    }

    /// <summary>
    /// Runs until shutdown. An invalid configuration ends the process with
    /// <see cref="ConfigurationErrorExitCode"/> and one line per problem on stderr, naming the setting.
    /// </summary>
    public static async Task<int> RunSnapshotServiceAsync(this WebApplication app)
    {
        try
        {
            await app.RunAsync();
            return 0;
        }
        catch (Exception ex) when (ConfigurationFailures(ex) is { Count: > 0 } failures)
        {
            await Console.Error.WriteLineAsync("SnapshotService cannot start: the configuration is invalid.");
            foreach (var failure in failures)
            {
                await Console.Error.WriteLineAsync($"  {failure}");
            }
            return ConfigurationErrorExitCode;
        }
    }

    /// <summary>
    /// The configuration problems in a start failure: start-up validation throws one
    /// <see cref="OptionsValidationException"/>, or an <see cref="AggregateException"/> of them
    /// when several option types are invalid. Empty when the failure is something else.
    /// </summary>
    public static IReadOnlyList<string> ConfigurationFailures(Exception exception) => exception switch
    {
        OptionsValidationException single => [.. single.Failures],
        AggregateException many when many.InnerExceptions.All(e => e is OptionsValidationException) =>
            [.. many.InnerExceptions.Cast<OptionsValidationException>().SelectMany(e => e.Failures)],
        _ => [],
    };
}
