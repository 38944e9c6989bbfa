using System.Text;
using SnapshotService.Compression;
using ZstdSharp;

namespace SnapshotService.Core.Tests.Compression;

public sealed class ZstdTests
{
    private static readonly byte[] Lines = Encoding.UTF8.GetBytes(string.Concat(Enumerable.Range(0, 5000).Select(i => $"{{\"seq\":{i},\"key\":\"k{i * 7919 % 5000:D5}\",\"document\":{{\"n\":{i}}}}}\n")));

    [Fact]
    public void the_system_libzstd_is_used_where_it_is_installed()
    {
        var installed = File.Exists("/usr/lib/x86_64-linux-gnu/libzstd.so.1") || File.Exists("/usr/lib/aarch64-linux-gnu/libzstd.so.1");
        Assert.Equal(installed && Environment.GetEnvironmentVariable("SNAPSHOTSERVICE_MANAGED_ZSTD") != "1", Zstd.IsNative);
    }

    [Fact]
    public void frames_written_by_either_implementation_are_read_by_the_other()
    {
        var ours = Zstd.Compress(Lines, 3);
        using var managedCompressor = new Compressor(3);
        var managed = managedCompressor.Wrap(Lines).ToArray();
        using var decompressor = new Decompressor();

        Assert.Equal(Lines, decompressor.Unwrap(ours).ToArray());
        Assert.Equal(Lines, Zstd.Decompress("Segment 'x'", managed));
    }

    [Fact]
    public void concatenated_frames_decompress_as_one_segment()
    {
        var half = Lines.Length / 2;
        var frames = Zstd.Compress(Lines.AsSpan(0, half), 1).Concat(Zstd.Compress(Lines.AsSpan(half), 1)).ToArray();

        Assert.Equal(Lines, Zstd.Decompress("Segment 'x'", frames));
    }

    [Fact]
    public void damaged_data_is_refused_with_the_file_named()
    {
        var frame = Zstd.Compress(Lines, 1);
        frame[frame.Length / 2] ^= 0xFF;
        frame[(frame.Length / 2) + 1] ^= 0xFF;

        var e = Assert.Throws<InvalidDataException>(() => Zstd.Decompress("Segment 'segments/1.jsonl.zst'", frame));
        Assert.StartsWith("Segment 'segments/1.jsonl.zst'", e.Message, StringComparison.Ordinal);
        Assert.Throws<InvalidDataException>(() => Zstd.Decompress("Pack 'p'", "not zstd at all"u8));
    }
}
