using Microsoft.Extensions.Options;
using SnapshotService.Host.Configuration;
using SnapshotService.Reconciliation.Reports;
using SnapshotService.Snapshots;
using SnapshotService.Storage;

namespace SnapshotService.Host.Extensions;

internal static class StorageExtensions
{
    /// <summary>The export store (file system under SnapshotService:Export:Root) and the anchor store over it.</summary>
    public static IHostApplicationBuilder AddSnapshotServiceStorage(this IHostApplicationBuilder builder)
    {
        builder.Services.AddSingleton<IObjectStore>(sp =>
        {
            var root = sp.GetRequiredService<IOptions<SnapshotServiceHostOptions>>().Value.Export.Root;
            return new FileSystemObjectStore(Path.GetFullPath(root));
        });
        builder.Services.AddSingleton(sp => new SnapshotAnchorStore(sp.GetRequiredService<IObjectStore>()));
        builder.Services.AddSingleton(sp => new DriftReportStore(sp.GetRequiredService<IObjectStore>()));
        return builder;
    }
}
