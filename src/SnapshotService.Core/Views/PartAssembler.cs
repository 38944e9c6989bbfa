using System.Buffers;
using System.Runtime.InteropServices;

namespace SnapshotService.Views;

/// <summary>
/// Collects the rows of each part as segments deliver them (in log order, so in any key order)
/// and hands a part over once all its rows have arrived. Rows are buffered in memory up to a
/// budget; beyond it the biggest buffers are appended to per-part spill files, so memory stays
/// bounded however the keys are spread over the log.
/// </summary>
/// <remarks>
/// After an insert-ordered history, segments arrive in key order and parts complete one after the
/// other without spilling. After random updates, every part keeps receiving rows until the last
/// segments, so nearly all documents pass through spill files (written once, read once; the OS
/// page cache usually keeps them).
/// </remarks>
internal sealed class PartAssembler(long memoryBudget, string spillFolder) : IDisposable
{
    private readonly object _gate = new();
    private readonly Dictionary<int, PartBuffer> _open = [];
    private long _inMemory;
    private bool _spillFolderCreated;

    /// <summary>Bytes written to spill files so far.</summary>
    public long SpilledBytes { get; private set; }

    /// <summary>Most bytes held in memory at once.</summary>
    public long PeakMemoryBytes { get; private set; }

    /// <summary>Parts that still wait for rows or for <see cref="Take"/>.</summary>
    public int OpenParts
    {
        get
        {
            lock (_gate)
            {
                return _open.Count;
            }
        }
    }

    public void Expect(int part, int rows)
    {
        lock (_gate)
        {
            _open.Add(part, new PartBuffer(part, rows));
        }
    }

    /// <summary>Adds one segment's rows; returns the parts that are now complete.</summary>
    public List<PartBuffer> Add(SegmentRows rows)
    {
        var completed = new List<PartBuffer>();
        var data = rows.Data.WrittenSpan;
        lock (_gate)
        {
            foreach (var (part, offset, length) in rows.Rows)
            {
                if (!_open.TryGetValue(part, out var buffer) || buffer.Received == buffer.Expected)
                {
                    throw new InvalidOperationException($"A row for part {part} arrived after the part was complete; the plan and the fetch disagree.");
                }
                if (buffer.Memory.WrittenCount == 0 && buffer.Memory.Capacity < length)
                {
                    // Presize from this segment's average row so the buffer does not copy itself while doubling.
                    var average = Math.Max(1, data.Length / Math.Max(1, rows.Rows.Count));
                    var share = Math.Max(1L << 16, memoryBudget / Math.Max(1, _open.Count));
                    buffer.Memory = new ArrayBufferWriter<byte>((int)Math.Clamp((long)average * (buffer.Expected - buffer.Received), length, Math.Max(length, share)));
                }
                buffer.Memory.Write(data.Slice(offset, length));
                _inMemory += length;
                if (++buffer.Received == buffer.Expected)
                {
                    completed.Add(buffer);
                }
            }
            PeakMemoryBytes = Math.Max(PeakMemoryBytes, _inMemory);
            if (_inMemory > memoryBudget)
            {
                SpillLocked();
            }
        }
        return completed;
    }

    /// <summary>Removes a complete part and returns all its rows' bytes (spilled first, then buffered).</summary>
    public ArraySegment<byte> Take(PartBuffer buffer)
    {
        ArrayBufferWriter<byte> memory;
        FileStream? spill;
        lock (_gate)
        {
            _open.Remove(buffer.Index);
            memory = buffer.Memory;
            spill = buffer.Spill;
            buffer.Spill = null;
            _inMemory -= memory.WrittenCount;
        }
        if (spill is null && MemoryMarshal.TryGetArray(memory.WrittenMemory, out var buffered))
        {
            return buffered; // no one writes to a taken buffer: hand its array over as it is
        }
        if (spill is null)
        {
            return memory.WrittenSpan.ToArray();
        }
        using (spill)
        {
            var spilled = checked((int)spill.Length);
            var bytes = new byte[checked(spilled + memory.WrittenCount)];
            spill.Position = 0;
            spill.ReadExactly(bytes, 0, spilled);
            memory.WrittenSpan.CopyTo(bytes.AsSpan(spilled));
            return bytes;
        }
    }

    public void Dispose()
    {
        lock (_gate)
        {
            foreach (var buffer in _open.Values)
            {
                buffer.Spill?.Dispose();
                buffer.Spill = null;
            }
            _open.Clear();
        }
    }

    private void SpillLocked()
    {
        // Spill the biggest buffers until half the budget is free, so spills are few and large.
        foreach (var buffer in _open.Values.OrderByDescending(b => b.Memory.WrittenCount).ToList())
        {
            if (_inMemory <= memoryBudget / 2)
            {
                break;
            }
            var bytes = buffer.Memory.WrittenCount;
            if (bytes == 0)
            {
                break;
            }
            buffer.Spill ??= CreateSpillFile(buffer.Index);
            buffer.Spill.Write(buffer.Memory.WrittenSpan);
            buffer.Memory = new ArrayBufferWriter<byte>(1);
            _inMemory -= bytes;
            SpilledBytes += bytes;
        }
    }

    private FileStream CreateSpillFile(int part)
    {
        if (!_spillFolderCreated)
        {
            Directory.CreateDirectory(spillFolder);
            _spillFolderCreated = true;
        }
        // DeleteOnClose: a spill file lives exactly as long as its part is being assembled.
        return new FileStream(Path.Combine(spillFolder, $"part-{part:D5}.rows"), FileMode.CreateNew, FileAccess.ReadWrite, FileShare.None, 1 << 16, FileOptions.DeleteOnClose);
    }
}

/// <summary>The rows of one part received so far.</summary>
internal sealed class PartBuffer(int index, int expected)
{
    public int Index { get; } = index;

    public int Expected { get; } = expected;

    public int Received { get; set; }

    public ArrayBufferWriter<byte> Memory { get; set; } = new(1);

    public FileStream? Spill { get; set; }
}
