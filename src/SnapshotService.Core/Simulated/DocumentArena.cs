namespace SnapshotService.Simulated;

/// <summary>
/// Hands out document buffers carved from 64 KiB chunks, so generating a batch costs a few chunk
/// allocations instead of one array per document, and stays off the large object heap. Regions
/// are never reused: a consumer may keep a document as long as it likes, and a chunk is collected
/// once no document of it is referenced any more.
/// </summary>
internal sealed class DocumentArena
{
    private const int ChunkBytes = 64 * 1024;

    private byte[] _chunk = [];
    private int _used;

    /// <summary>A fresh region of exactly <paramref name="length"/> bytes.</summary>
    public Memory<byte> Allocate(int length)
    {
        if (length > ChunkBytes / 4)
        {
            return new byte[length];
        }
        if (_used + length > _chunk.Length)
        {
            _chunk = GC.AllocateUninitializedArray<byte>(ChunkBytes);
            _used = 0;
        }
        var region = _chunk.AsMemory(_used, length);
        _used += length;
        return region;
    }
}
