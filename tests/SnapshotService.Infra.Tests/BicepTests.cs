using System.Text.Json;

namespace SnapshotService.Infra.Tests;

/// <summary>`bicep build` and `bicep lint` of infra/ are clean: no error and no warning.</summary>
public sealed class BicepTests
{
    public static TheoryData<string> Templates() =>
        [.. new[] { "main.bicep", "resources.bicep" }.Concat(Directory.GetFiles(Bicep.Infra("modules"), "*.bicep").Select(f => "modules/" + Path.GetFileName(f)))];

    [Fact]
    public async Task main_bicep_builds_to_an_arm_template_without_warnings()
    {
        var (code, output, errors) = await Bicep.RunAsync("build", Bicep.Infra("main.bicep"), "--stdout");

        Assert.True(code == 0, errors);
        Assert.DoesNotContain("Warning", errors, StringComparison.Ordinal);
        using var template = JsonDocument.Parse(output);
        Assert.Equal("https://schema.management.azure.com/schemas/2018-05-01/subscriptionDeploymentTemplate.json#", template.RootElement.GetProperty("$schema").GetString());
    }

    [Theory]
    [MemberData(nameof(Templates))]
    public async Task every_template_lints_clean(string template)
    {
        var (code, output, errors) = await Bicep.RunAsync("lint", Bicep.Infra(template));

        Assert.True(code == 0, output + errors);
        Assert.Equal("", (output + errors).Trim());
    }
}
