using SnapshotService.Testing.Storage;

namespace SnapshotService.Storage.AzureBlob.Tests;

/// <summary>The shared store conformance suite on Azure Blob Storage (Azurite), with and without a key prefix.</summary>
[Collection(AzuriteCollection.Name)]
public sealed class AzureBlobStoreConformanceTests(AzuriteFixture azurite) : ObjectStoreConformanceTests
{
    protected override Task<IObjectStore> NewStoreAsync() => Task.FromResult<IObjectStore>(azurite.NewStore());
}

[Collection(AzuriteCollection.Name)]
public sealed class PrefixedAzureBlobStoreConformanceTests(AzuriteFixture azurite) : ObjectStoreConformanceTests
{
    protected override Task<IObjectStore> NewStoreAsync() => Task.FromResult<IObjectStore>(azurite.NewStore("deployments/prod"));
}
