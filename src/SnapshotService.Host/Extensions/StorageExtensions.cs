using Microsoft.Extensions.Options;
using SnapshotService.Host.Configuration;
using SnapshotService.Reconciliation.Reports;
using SnapshotService.Snapshots;
using SnapshotService.Storage;
using SnapshotService.Storage.AzureBlob;

namespace SnapshotService.Host.Extensions;

internal static class StorageExtensions
{
    /// <summary>The export store (SnapshotService:Export:Kind: a directory or a blob container) and the stores over it.</summary>
    public static IHostApplicationBuilder AddSnapshotServiceStorage(this IHostApplicationBuilder builder)
    {
        builder.Services.AddSingleton<IObjectStore>(sp =>
        {
            var export = sp.GetRequiredService<IOptions<SnapshotServiceHostOptions>>().Value.Export;
            return export.Kind == ExportStoreKind.AzureBlob
                ? AzureBlobObjectStore.Create(export.AzureBlob)
                : new FileSystemObjectStore(Path.GetFullPath(export.Root));
        });
        builder.Services.AddSingleton(sp => new SnapshotAnchorStore(sp.GetRequiredService<IObjectStore>()));
        builder.Services.AddSingleton(sp => new DriftReportStore(sp.GetRequiredService<IObjectStore>()));
        return builder;
    }
}
