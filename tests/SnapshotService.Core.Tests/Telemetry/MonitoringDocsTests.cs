using System.Diagnostics.Metrics;
using System.Runtime.CompilerServices;
using System.Text.RegularExpressions;
using SnapshotService.Telemetry;
using SnapshotService.Testing;

namespace SnapshotService.Core.Tests.Telemetry;

/// <summary>The shipped alert rules, dashboard and metric table name only metrics the service really exports.</summary>
public sealed partial class MonitoringDocsTests
{
    [Theory]
    [InlineData("docs/monitoring/alerts.yml")]
    [InlineData("docs/monitoring/grafana-dashboard.json")]
    [InlineData("docs/operations.md")]
    [InlineData("docs/schemas.md")]
    public void every_metric_a_monitoring_file_names_is_exported(string file)
    {
        var exported = ExportedPrometheusNames();
        var text = File.ReadAllText(Path.Combine(RepositoryPaths.Root, file));

        var named = MetricName().Matches(text)
            .Select(m => Regex.Replace(m.Value, "_(bucket|sum|count)$", ""))
            .Where(name => !LabelNames.Contains(name))
            .Distinct()
            .ToList();

        Assert.NotEmpty(named);
        Assert.All(named, name => Assert.True(exported.Contains(name), $"{file} names {name}, which is not exported; exported: {string.Join(", ", exported.Order())}"));
    }

    // Tag keys become labels of the same shape; they are not metrics.
    private static readonly HashSet<string> LabelNames = new[]
    {
        SnapshotServiceTelemetry.SourceTag, CaptureMetrics.StageTag, ReconciliationMetrics.CategoryTag, ReconciliationMetrics.ModeTag,
        ReconciliationMetrics.StatusTag, SnapshotMetrics.OperationTag, SnapshotMetrics.OutcomeTag,
        QualityMetrics.ReasonTag, QualityMetrics.PolicyTag, QualityMetrics.ChangeTag,
    }.Select(tag => tag.Replace('.', '_')).ToHashSet(StringComparer.Ordinal);

    /// <summary>The Prometheus names of every SnapshotService instrument (OpenTelemetry's naming: unit suffix, _total on counters).</summary>
    private static HashSet<string> ExportedPrometheusNames()
    {
        foreach (var type in new[] { typeof(CaptureMetrics), typeof(ReconciliationMetrics), typeof(SnapshotMetrics), typeof(SourceGauges), typeof(QualityMetrics) })
        {
            RuntimeHelpers.RunClassConstructor(type.TypeHandle);
        }
        var names = new HashSet<string>(StringComparer.Ordinal);
        using var listener = new MeterListener
        {
            InstrumentPublished = (instrument, _) =>
            {
                if (instrument.Meter.Name == SnapshotServiceTelemetry.Name)
                {
                    names.Add(PrometheusName(instrument));
                }
            },
        };
        listener.Start();
        return names;
    }

    private static string PrometheusName(Instrument instrument)
    {
        var name = instrument.Name.Replace('.', '_');
        var suffix = instrument.Unit switch
        {
            "s" => "_seconds",
            "By" => "_bytes",
            "1" => "_ratio",
            _ => "",
        };
        if (suffix.Length > 0 && !name.EndsWith(suffix, StringComparison.Ordinal))
        {
            name += suffix;
        }
        var isCounter = instrument.GetType().IsGenericType && instrument.GetType().GetGenericTypeDefinition() == typeof(Counter<>);
        return isCounter ? name + "_total" : name;
    }

    [GeneratedRegex(@"snapshotservice_(capture|source|reconciliation|snapshot|deadletters|contract|schema)_?[a-z_]*")]
    private static partial Regex MetricName();
}
