using System.Text;
using SnapshotService.Hashing;
using SnapshotService.Sources;
using SnapshotService.State;
using SnapshotService.Views;

namespace SnapshotService.Core.Tests.Views;

public sealed class ViewLineReaderTests
{
    private const string Hash = "9d21be250eed2ca3d32f98193c31f79d";

    [Fact]
    public void the_fast_reader_reads_the_same_fields_as_the_exact_one()
    {
        var line = Line("""{"id":"k1","n":[1,2,{"x":"}"}]}""", after: "");

        var fast = ViewLineReader.Fast("segments/s", 1, line);
        var exact = ViewLineReader.Exact("segments/s", 1, line);

        Assert.Equal(exact with { Document = default }, fast with { Document = default });
        Assert.Equal(Encoding.UTF8.GetString(exact.Document.Span), Encoding.UTF8.GetString(fast.Document.Span));
        Assert.Equal(ChangeOperation.Upsert, fast.Operation);
        Assert.Equal(RangeDigestHash(), fast.ContentHash);
    }

    [Fact]
    public void a_field_after_the_document_makes_the_fast_slice_fail_the_re_hash_and_the_exact_reader_takes_the_document_alone()
    {
        var line = Line("""{"id":"k1"}""", after: ""","added_later":{"a":1}""");

        var fast = ViewLineReader.Fast("segments/s", 1, line);
        var exact = ViewLineReader.Exact("segments/s", 1, line);

        // The materializer re-hashes the fast slice; it is not one JSON value, so it falls back to the exact reader.
        Assert.Throws<InvalidDataException>(() => ContentHasher.HashValue(fast.Document.Span, ContentHashOptions.Default));
        Assert.Equal("""{"id":"k1"}""", Encoding.UTF8.GetString(exact.Document.Span));
    }

    [Fact]
    public void a_delete_has_no_document()
    {
        var line = Encoding.UTF8.GetBytes("""{"seq":9,"op":"delete","key":"k1","partition_key":null,"source_version":9,"content_hash":null,"origin":"repair","source_time":"2026-01-01T00:00:00.000Z","document":null}""");

        var fast = ViewLineReader.Fast("segments/s", 1, line);

        Assert.Equal(ChangeOperation.Delete, fast.Operation);
        Assert.True(fast.Document.IsEmpty);
        Assert.Null(fast.ContentHash);
        Assert.Equal(ChangeOrigin.Repair, fast.Origin);
    }

    private static UInt128 RangeDigestHash() => RangeDigest.ParseHash(Hash);

    private static byte[] Line(string document, string after) => Encoding.UTF8.GetBytes(
        $$"""{"seq":7,"op":"upsert","key":"k1","partition_key":"p1","source_version":7,"content_hash":"{{Hash}}","origin":"capture","source_time":"2026-01-01T00:00:00.000Z","document":{{document}}{{after}}}""");
}
