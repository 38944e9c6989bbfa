using Grpc.Health.V1;
using HealthService = Grpc.Health.V1.Health;
using Grpc.Reflection.V1Alpha;

namespace SnapshotService.Host.Tests;

[Collection(HostCollection.Name)]
public sealed class HealthAndReflectionTests(HostFixture host)
{
    [Fact]
    public async Task healthz_answers_200_when_the_silo_is_up()
    {
        using var response = await host.Http.GetAsync("/healthz");

        Assert.True(response.IsSuccessStatusCode);
        Assert.Equal("Healthy", await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task grpc_health_reports_serving()
    {
        var response = await new HealthService.HealthClient(host.Channel).CheckAsync(new HealthCheckRequest());

        Assert.Equal(HealthCheckResponse.Types.ServingStatus.Serving, response.Status);
    }

    [Fact]
    public async Task reflection_lists_the_api_services()
    {
        using var call = new ServerReflection.ServerReflectionClient(host.Channel).ServerReflectionInfo();
        await call.RequestStream.WriteAsync(new ServerReflectionRequest { ListServices = "" });
        await call.RequestStream.CompleteAsync();
        Assert.True(await call.ResponseStream.MoveNext(CancellationToken.None));

        var services = call.ResponseStream.Current.ListServicesResponse.Service.Select(s => s.Name).ToList();

        Assert.Contains("snapshotservice.v1.Sources", services);
        Assert.Contains("snapshotservice.v1.Snapshots", services);
        Assert.Contains("grpc.health.v1.Health", services);
    }

    [Fact]
    public async Task reflection_describes_the_proto_files()
    {
        using var call = new ServerReflection.ServerReflectionClient(host.Channel).ServerReflectionInfo();
        await call.RequestStream.WriteAsync(new ServerReflectionRequest { FileContainingSymbol = "snapshotservice.v1.Snapshots" });
        await call.RequestStream.CompleteAsync();
        Assert.True(await call.ResponseStream.MoveNext(CancellationToken.None));

        var files = call.ResponseStream.Current.FileDescriptorResponse.FileDescriptorProto;

        Assert.NotEmpty(files);
    }
}
