extern alias snapshotctl;
using System.Net;
using Grpc.Core;
using SnapshotService.Api.V1;
using Cli = snapshotctl::SnapshotService.Cli;

namespace SnapshotService.Host.Tests;

/// <summary>API keys over gRPC, JSON/HTTP and the CLI: anonymous refused, readers read, only operators change.</summary>
[Collection(ApiKeyHostCollection.Name)]
public sealed class ApiKeyAuthTests(ApiKeyHostFixture host)
{
    private const string Source = HostFixture.SourceId;

    [Fact]
    public async Task anonymous_calls_are_refused_over_grpc_and_http()
    {
        var grpc = await RpcAssert.FailsAsync(StatusCode.Unauthenticated, "API key", () => host.Sources.GetSourceAsync(new GetSourceRequest { SourceId = Source }).ResponseAsync);
        using var http = host.HttpWith(null, null);
        var response = await http.GetAsync($"/v1/sources/{Source}");
        using var wrongKey = host.HttpWith("X-Api-Key", "not-a-key-0123456789");

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await wrongKey.GetAsync($"/v1/sources/{Source}")).StatusCode);
        Assert.DoesNotContain(ApiKeyHostFixture.ReaderKey, grpc.Status.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task a_reader_reads_but_cannot_create_a_snapshot_and_an_operator_can()
    {
        await host.WaitForCommittedAsync(Source, 1); // an operator's snapshot of "latest" needs a commit
        var source = await host.Sources.GetSourceAsync(new GetSourceRequest { SourceId = Source }, ApiKeyHostFixture.Key(ApiKeyHostFixture.ReaderKey));
        var denied = await RpcAssert.FailsAsync(StatusCode.PermissionDenied, "requires role operator",
            () => host.Snapshots.CreateSnapshotAsync(new CreateSnapshotRequest { SourceId = Source }, ApiKeyHostFixture.Key(ApiKeyHostFixture.ReaderKey)).ResponseAsync);
        var created = await host.Snapshots.CreateSnapshotAsync(new CreateSnapshotRequest { SourceId = Source }, ApiKeyHostFixture.Key(ApiKeyHostFixture.OperatorKey));

        Assert.Equal(Source, source.SourceId);
        Assert.Contains("dashboards", denied.Status.Detail, StringComparison.Ordinal);
        Assert.StartsWith("snap-", created.SnapshotId, StringComparison.Ordinal);
    }

    [Fact]
    public async Task over_http_a_reader_gets_403_on_writes_and_an_operator_201_or_200()
    {
        await host.WaitForCommittedAsync(Source, 1);
        using var reader = host.HttpWith("Authorization", $"ApiKey {ApiKeyHostFixture.ReaderKey}");
        using var @operator = host.HttpWith("X-Api-Key", ApiKeyHostFixture.OperatorKey);

        var list = await reader.GetJsonAsync("/v1/sources");
        var refused = await reader.PostJsonAsync($"/v1/sources/{Source}/snapshots");
        var created = await @operator.PostJsonAsync($"/v1/sources/{Source}/snapshots");

        Assert.Equal(HttpStatusCode.OK, list.Status);
        refused.AssertError(HttpStatusCode.Forbidden, StatusCode.PermissionDenied, "requires role operator");
        Assert.Equal(HttpStatusCode.OK, created.Status);
    }

    [Fact]
    public async Task health_probes_the_operator_page_and_metrics_stay_anonymous()
    {
        using var anonymous = host.HttpWith(null, null);
        var health = new global::Grpc.Health.V1.Health.HealthClient(host.Channel);

        Assert.Equal(HttpStatusCode.OK, (await anonymous.GetAsync("/healthz")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await anonymous.GetAsync("/ui")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await anonymous.GetAsync("/metrics")).StatusCode);
        Assert.Equal(global::Grpc.Health.V1.HealthCheckResponse.Types.ServingStatus.Serving, (await health.CheckAsync(new global::Grpc.Health.V1.HealthCheckRequest())).Status);
    }

    [Fact]
    public async Task the_cli_sends_its_api_key_and_reports_refusals_with_their_own_exit_codes()
    {
        await host.WaitForCommittedAsync(Source, 1);
        var anonymous = await CliRun.RunAsync(host, "sources", "list");
        var reader = await CliRun.RunAsync(host, "--api-key", ApiKeyHostFixture.ReaderKey, "sources", "list");
        var readerWrites = await CliRun.RunAsync(host, "--api-key", ApiKeyHostFixture.ReaderKey, "snapshots", "create", Source);
        var output = new StringWriter();
        var fromEnvironment = await Cli.SnapshotCtl.RunAsync(["--endpoint", host.GrpcEndpoint, "snapshots", "create", Source],
            new Cli.CliConsole(output, TextWriter.Null, false), name => name == "SNAPSHOTCTL_API_KEY" ? ApiKeyHostFixture.OperatorKey : null);

        Assert.Equal(Cli.ExitCodes.Unauthenticated, anonymous.ExitCode);
        Assert.Contains("--api-key", anonymous.Error, StringComparison.Ordinal);
        Assert.Equal(0, reader.ExitCode);
        Assert.Contains(reader.Lines, l => l.StartsWith(Source + "\t", StringComparison.Ordinal));
        Assert.Equal(Cli.ExitCodes.PermissionDenied, readerWrites.ExitCode);
        Assert.Equal(0, fromEnvironment);
        Assert.Contains("snapshot_id", output.ToString(), StringComparison.Ordinal);
    }
}

/// <summary>JWT bearer tokens (Entra ID style "roles"), validated with a local test key.</summary>
[Collection(JwtHostCollection.Name)]
public sealed class JwtAuthTests(JwtHostFixture host)
{
    private const string Source = HostFixture.SourceId;

    [Fact]
    public async Task a_reader_token_reads_and_is_refused_writes_and_an_operator_token_writes()
    {
        await host.WaitForCommittedAsync(Source, 1);
        var reader = JwtHostFixture.Bearer(JwtHostFixture.Token(["reader"]));
        var @operator = JwtHostFixture.Bearer(JwtHostFixture.Token(["operator"]));

        var source = await host.Sources.GetSourceAsync(new GetSourceRequest { SourceId = Source }, reader);
        await RpcAssert.FailsAsync(StatusCode.PermissionDenied, "requires role operator",
            () => host.Snapshots.CreateSnapshotAsync(new CreateSnapshotRequest { SourceId = Source }, reader).ResponseAsync);
        var created = await host.Snapshots.CreateSnapshotAsync(new CreateSnapshotRequest { SourceId = Source }, @operator);
        using var http = host.HttpWithBearer(JwtHostFixture.Token(["reader"]));

        Assert.Equal(Source, source.SourceId);
        Assert.StartsWith("snap-", created.SnapshotId, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.OK, (await http.GetJsonAsync($"/v1/sources/{Source}/snapshots")).Status);
        Assert.Equal(HttpStatusCode.Forbidden, (await http.PostJsonAsync($"/v1/sources/{Source}/snapshots")).Status);
    }

    public static TheoryData<string, string> BadTokens() => new()
    {
        { "wrong audience", JwtHostFixture.Token(["operator"], audience: "api://someone-else") },
        { "expired", JwtHostFixture.Token(["operator"], expires: DateTime.UtcNow.AddMinutes(-10)) },
        { "bad signature", JwtHostFixture.Token(["operator"], key: [.. Enumerable.Range(0, 48).Select(i => (byte)i)]) },
        { "not a token", "not.a.token" },
    };

    [Theory]
    [MemberData(nameof(BadTokens))]
    public async Task a_bad_token_is_unauthenticated(string why, string token)
    {
        var ex = await RpcAssert.FailsAsync(StatusCode.Unauthenticated, "bearer token",
            () => host.Sources.GetSourceAsync(new GetSourceRequest { SourceId = Source }, JwtHostFixture.Bearer(token)).ResponseAsync);
        using var http = host.HttpWithBearer(token);

        Assert.Equal(HttpStatusCode.Unauthorized, (await http.GetJsonAsync($"/v1/sources/{Source}")).Status);
        Assert.False(string.IsNullOrEmpty(why));
        Assert.DoesNotContain(token, ex.Status.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task the_cli_sends_its_token()
    {
        var result = await CliRun.RunAsync(host, "--token", JwtHostFixture.Token(["reader"]), "sources", "get", Source);

        Assert.Equal(0, result.ExitCode);
        Assert.Equal(Source, result.Fields["source_id"]);
    }
}
