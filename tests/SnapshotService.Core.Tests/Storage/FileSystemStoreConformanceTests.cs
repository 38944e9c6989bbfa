using SnapshotService.Storage;
using SnapshotService.Testing;
using SnapshotService.Testing.Storage;

namespace SnapshotService.Core.Tests.Storage;

/// <summary>The shared store conformance suite on <see cref="FileSystemObjectStore"/>.</summary>
public sealed class FileSystemStoreConformanceTests : ObjectStoreConformanceTests, IDisposable
{
    private readonly List<TempDirectory> _directories = [];

    public void Dispose()
    {
        foreach (var directory in _directories)
        {
            directory.Dispose();
        }
    }

    protected override Task<IObjectStore> NewStoreAsync()
    {
        var directory = new TempDirectory("fsconformance");
        _directories.Add(directory);
        return Task.FromResult<IObjectStore>(new FileSystemObjectStore(directory.Path));
    }
}
