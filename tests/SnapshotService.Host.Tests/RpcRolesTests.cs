using SnapshotService.Host.Auth;

namespace SnapshotService.Host.Tests;

/// <summary>Every RPC of the API has a role, and the table names no RPC that does not exist.</summary>
public sealed class RpcRolesTests
{
    private static readonly Google.Protobuf.Reflection.FileDescriptor[] ApiFiles =
    [
        Api.V1.SourcesReflection.Descriptor, Api.V1.SnapshotsReflection.Descriptor, Api.V1.ReconciliationReflection.Descriptor,
        Api.V1.SchemasReflection.Descriptor, Api.V1.DeadlettersReflection.Descriptor,
    ];

    private static IEnumerable<string> ApiMethods() =>
        ApiFiles.SelectMany(f => f.Services).SelectMany(s => s.Methods).Select(m => $"/{m.Service.FullName}/{m.Name}");

    [Fact]
    public void every_rpc_of_the_api_has_a_role()
    {
        var missing = ApiMethods().Where(m => !RpcRoles.ByMethod.ContainsKey(m)).ToList();
        Assert.True(missing.Count == 0, $"RPCs without a role in RpcRoles (they are denied to everyone): {string.Join(", ", missing)}");
    }

    [Fact]
    public void the_role_table_names_only_existing_rpcs_and_known_roles()
    {
        var methods = ApiMethods().ToHashSet(StringComparer.Ordinal);
        Assert.All(RpcRoles.ByMethod, entry =>
        {
            Assert.Contains(entry.Key, methods);
            Assert.True(Roles.IsKnown(entry.Value), entry.Value);
        });
        Assert.Equal(Roles.Reader, RpcRoles.ByMethod["/snapshotservice.v1.Sources/GetSource"]);
        Assert.Equal(Roles.Operator, RpcRoles.ByMethod["/snapshotservice.v1.Snapshots/CreateSnapshot"]);
    }

    [Fact]
    public void every_api_service_file_is_checked()
    {
        var protos = Directory.GetFiles(Path.Combine(Testing.RepositoryPaths.Root, "src/SnapshotService.Host/Protos/snapshotservice/v1"), "*.proto").Select(Path.GetFileName).Order();
        Assert.Equal(protos, ApiFiles.Select(f => Path.GetFileName(f.Name)).Order());
    }
}
