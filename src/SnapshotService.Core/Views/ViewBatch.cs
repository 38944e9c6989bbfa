using System.Buffers;
using SnapshotService.State;

namespace SnapshotService.Views;

/// <summary>
/// The rows of one part: live entries in key order and their documents, copied out of the
/// segments into one arena so that a segment's buffer is released as soon as it has been read.
/// </summary>
internal sealed class ViewBatch
{
    private readonly ArrayBufferWriter<byte> _arena = new(1 << 20);
    private readonly List<(int Offset, int Length)> _documents = [];

    public ViewBatch(IReadOnlyList<LiveEntry> entries)
    {
        Entries = entries;
        for (var i = 0; i < entries.Count; i++)
        {
            _documents.Add((-1, 0));
        }
    }

    public IReadOnlyList<LiveEntry> Entries { get; }

    public int Count => Entries.Count;

    public long DocumentBytes => _arena.WrittenCount;

    public void SetDocument(int index, ReadOnlySpan<byte> document)
    {
        var offset = _arena.WrittenCount;
        _arena.Write(document);
        _documents[index] = (offset, document.Length);
    }

    public ReadOnlyMemory<byte> DocumentOf(int index)
    {
        var (offset, length) = _documents[index];
        if (offset < 0)
        {
            throw new InvalidOperationException($"Document of key '{Entries[index].Key}' was not fetched.");
        }
        return _arena.WrittenMemory.Slice(offset, length);
    }
}
