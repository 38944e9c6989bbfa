using SnapshotService.Testing.Azurite;

namespace SnapshotService.Storage.AzureBlob.Tests;

/// <summary>One Azurite for the test run; every test gets its own container.</summary>
public sealed class AzuriteFixture : IAsyncLifetime
{
    private int _containers;

    public AzuriteServer Server { get; private set; } = null!;

    public async Task InitializeAsync() => Server = await AzuriteServer.StartAsync();

    public async Task DisposeAsync() => await Server.DisposeAsync();

    /// <summary>A store on a new, not yet created container (the store creates it on first use).</summary>
    public AzureBlobObjectStore NewStore(string prefix = "") => AzureBlobObjectStore.Create(new AzureBlobStoreOptions
    {
        ConnectionString = Server.ConnectionString,
        Container = $"test-{Interlocked.Increment(ref _containers):D4}-{Guid.NewGuid():N}"[..40],
        Prefix = prefix,
    });
}

[CollectionDefinition(Name)]
public sealed class AzuriteCollection : ICollectionFixture<AzuriteFixture>
{
    public const string Name = "azurite";
}
