using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.Extensions.Configuration;
using SnapshotService.Testing;

namespace SnapshotService.Infra.Tests;

/// <summary>azure.yaml, the parameters file, the Bicep outputs and the container's settings agree with each other and with the host.</summary>
public sealed partial class DeploymentConsistencyTests
{
    /// <summary>Outputs azd reads after provisioning (registry for the image push, the app's name and URI).</summary>
    private static readonly string[] OutputsAzdNeeds =
    [
        "AZURE_LOCATION", "AZURE_TENANT_ID", "AZURE_CONTAINER_REGISTRY_ENDPOINT", "AZURE_CONTAINER_REGISTRY_NAME",
        "AZURE_CONTAINER_APPS_ENVIRONMENT_ID", "SERVICE_HOST_NAME", "SERVICE_HOST_URI", "SERVICE_HOST_IMAGE_NAME",
    ];

    [Fact]
    public void azure_yaml_names_the_host_service_the_container_app_is_tagged_with()
    {
        var azureYaml = File.ReadAllText(Path.Combine(RepositoryPaths.Root, "azure.yaml"));
        var app = File.ReadAllText(Bicep.Infra("resources.bicep"));

        var service = Regex.Match(azureYaml, @"(?ms)^services:\r?\n  host:\r?\n(?<body>(    .*?\r?\n)+)").Groups["body"].Value;
        Assert.Contains("    host: containerapp", service, StringComparison.Ordinal);
        Assert.Matches(@"(?m)^\s+project: \./src/SnapshotService\.Host\s*$", azureYaml);
        Assert.Contains("'azd-service-name': 'host'", app, StringComparison.Ordinal);
        var dockerPath = Regex.Match(service, @"(?m)^\s+docker:\s*\r?\n\s+path: (\S+)\s*$").Groups[1].Value;
        Assert.True(File.Exists(Path.Combine(RepositoryPaths.Root, "src/SnapshotService.Host", dockerPath)), $"azure.yaml's docker path {dockerPath} does not exist");
    }

    [Fact]
    public async Task every_parameter_in_the_parameters_file_is_declared_and_the_outputs_azd_needs_exist()
    {
        var (code, output, errors) = await Bicep.RunAsync("build", Bicep.Infra("main.bicep"), "--stdout");
        Assert.True(code == 0, errors);
        using var template = JsonDocument.Parse(output);
        using var parameters = JsonDocument.Parse(await File.ReadAllTextAsync(Bicep.Infra("main.parameters.json")));
        var declared = template.RootElement.GetProperty("parameters").EnumerateObject().Select(p => p.Name).ToHashSet();
        var outputs = template.RootElement.GetProperty("outputs").EnumerateObject().Select(p => p.Name).ToHashSet();
        var given = parameters.RootElement.GetProperty("parameters").EnumerateObject().Select(p => p.Name).ToList();

        Assert.All(given, name => Assert.True(declared.Contains(name), $"main.parameters.json sets '{name}', which main.bicep does not declare"));
        var required = template.RootElement.GetProperty("parameters").EnumerateObject().Where(p => !p.Value.TryGetProperty("defaultValue", out _)).Select(p => p.Name);
        Assert.All(required, name => Assert.Contains(name, given));
        Assert.All(OutputsAzdNeeds, name => Assert.Contains(name, outputs));
        Assert.DoesNotContain(outputs, name => name.Contains("KEY", StringComparison.Ordinal) && !name.EndsWith("VAULT_NAME", StringComparison.Ordinal) || name.Contains("PASSWORD", StringComparison.Ordinal) || name.Contains("CONNECTION", StringComparison.Ordinal));
    }

    [Fact]
    public void the_container_app_sets_only_settings_the_host_reads_and_secrets_only_by_reference()
    {
        var app = File.ReadAllText(Bicep.Infra("modules/container-app.bicep"));
        var variables = EnvironmentVariable().Matches(app).Select(m => (Name: m.Groups["name"].Value, Kind: m.Groups["kind"].Value)).ToList();

        Assert.NotEmpty(variables);
        HostSettings.AssertAllKnown(variables.Select(v => v.Name).Where(n => n.StartsWith("SnapshotService__", StringComparison.Ordinal)), "infra/modules/container-app.bicep");
        Assert.All(variables.Where(v => IsSecretName(v.Name)), v => Assert.True(v.Kind == "secretRef", $"{v.Name} is a secret and must use secretRef, not a plain value"));
        Assert.Contains(variables, v => v.Name == "SnapshotService__Cluster__Redis__ConnectionString" && v.Kind == "secretRef");
    }

    [Fact]
    public void a_mongo_connection_string_reaches_the_app_only_through_key_vault()
    {
        var app = File.ReadAllText(Bicep.Infra("modules/container-app.bicep"));
        var resources = File.ReadAllText(Bicep.Infra("resources.bicep"));

        Assert.Matches(@"name: 'SnapshotService__Sources__\$\{mongoSourceId\}__Mongo__ConnectionString', secretRef: 'mongo-connection-string'", app);
        Assert.Matches(@"name: 'mongo-connection-string', keyVaultUrl: mongoSecretUri", app);
        Assert.DoesNotContain("mongoConnectionString", app, StringComparison.Ordinal);
        Assert.Contains("mongoSecretUri: empty(mongoConnectionString) ? '' : keyVault.outputs.mongoSecretUri", resources, StringComparison.Ordinal);
    }

    private static bool IsSecretName(string name) =>
        name.EndsWith("ConnectionString", StringComparison.Ordinal) || name.Contains("Password", StringComparison.Ordinal) || name.EndsWith("__Key", StringComparison.Ordinal) || name.Contains("SigningKey", StringComparison.Ordinal);

    [GeneratedRegex(@"\{\s*name:\s*'(?<name>[A-Za-z_]+)'\s*,\s*(?<kind>value|secretRef):")]
    private static partial Regex EnvironmentVariable();
}

/// <summary>Checks that environment variable names map to configuration keys the host binds.</summary>
internal static class HostSettings
{
    /// <summary>Sections bound to their own options types (everything else is SnapshotServiceHostOptions under SnapshotService).</summary>
    private static readonly Dictionary<string, Type> Sections = new(StringComparer.OrdinalIgnoreCase)
    {
        ["SnapshotService:Restore"] = typeof(Host.Restore.RestoreOptions),
        ["SnapshotService:Capture"] = typeof(Capture.CaptureOptions),
        ["SnapshotService:Reconciliation"] = typeof(Reconciliation.ReconciliationOptions),
    };

    private static readonly string[] SampleValues = ["1", "true", "Redis"];

    private static Exception? Bind(string root, Type type, string key, string value)
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection([new(key, value)]).Build();
        return Record.Exception(() => configuration.GetSection(root).Get(type, o => o.ErrorOnUnknownConfiguration = true));
    }

    public static void AssertAllKnown(IEnumerable<string> environmentNames, string where)
    {
        foreach (var name in environmentNames)
        {
            var key = name.Replace("__", ":", StringComparison.Ordinal);
            var section = Sections.Keys.FirstOrDefault(s => key.StartsWith(s + ":", StringComparison.OrdinalIgnoreCase));
            var (root, type) = section is null ? ("SnapshotService", typeof(Host.Configuration.SnapshotServiceHostOptions)) : (section, Sections[section]);
            // A sample value of each shape the options use, so a known bool or number setting is not
            // mistaken for an unknown one only because the sample did not convert.
            var errors = SampleValues.Select(value => Bind(root, type, key, value)).ToList();
            Assert.True(errors.Any(e => e is null), $"{where} sets {name}, but the host has no setting {key}: {errors[0]?.Message}");
        }
    }
}
