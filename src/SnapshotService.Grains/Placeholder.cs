namespace SnapshotService.Grains;
internal static class Placeholder;
