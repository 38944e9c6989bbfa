using Google.Protobuf.WellKnownTypes;
using SnapshotService.Grains;
using SnapshotService.Views;
using V1 = SnapshotService.Api.V1;

namespace SnapshotService.Host.Grpc;

/// <summary>Views, progress and deletion state ↔ API messages.</summary>
internal static class ViewMapping
{
    public static V1.View ToApi(this ViewManifest manifest, string storeDescription, bool withParts)
    {
        var path = SnapshotViews.FolderOf(manifest.SourceId, manifest.SnapshotId, manifest.Format);
        var view = new V1.View
        {
            Format = ViewFormats.Name(manifest.Format),
            Sequence = (ulong)Math.Max(0, manifest.Seq),
            Documents = (ulong)Math.Max(0, manifest.Rows),
            DocumentBytes = (ulong)Math.Max(0, manifest.DocumentBytes),
            Bytes = (ulong)Math.Max(0, manifest.Bytes),
            ContentChecksum = manifest.ContentChecksum,
            Path = path,
            Location = storeDescription.TrimEnd('/') + "/" + path,
            MaterializeTime = Timestamp.FromDateTimeOffset(manifest.MaterializedAt),
        };
        if (withParts)
        {
            view.Parts.AddRange(manifest.Parts.Select(p => new V1.ViewPart
            {
                Name = p.Name,
                Rows = (ulong)Math.Max(0, p.Rows),
                Bytes = (ulong)Math.Max(0, p.Bytes),
                Checksum = p.Checksum,
                FirstKey = p.FirstKey,
                LastKey = p.LastKey,
            }));
        }
        return view;
    }

    public static V1.MaterializeProgress ToApi(this MaterializeProgress progress)
    {
        var message = new V1.MaterializeProgress
        {
            DocumentsDone = (ulong)Math.Max(0, progress.Documents),
            DocumentsTotal = (ulong)Math.Max(0, progress.TotalDocuments),
            DocumentBytes = (ulong)Math.Max(0, progress.DocumentBytes),
            Parts = (uint)Math.Max(0, progress.Parts),
            DocumentsPerSecond = progress.DocumentsPerSecond,
            MegabytesPerSecond = progress.BytesPerSecond / 1_000_000,
            Elapsed = Duration.FromTimeSpan(progress.Elapsed),
        };
        if (progress.Remaining is { } remaining)
        {
            message.Remaining = Duration.FromTimeSpan(remaining);
        }
        return message;
    }

    /// <summary>A snapshot with its deletion state and views.</summary>
    public static V1.Snapshot ToApi(this SnapshotAnchor anchor, DateTimeOffset? deletedAt, IEnumerable<V1.View> views)
    {
        var snapshot = anchor.ToApi();
        if (deletedAt is { } time)
        {
            snapshot.Deleted = true;
            snapshot.DeleteTime = Timestamp.FromDateTimeOffset(time);
        }
        snapshot.Views.AddRange(views);
        return snapshot;
    }
}
