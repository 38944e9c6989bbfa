using System.Text;
using System.Text.Json;
using CsCheck;
using SnapshotService.Schemas;

namespace SnapshotService.Core.Tests.Schemas;

/// <summary>
/// The tracker counts a document shaped like an earlier one from its remembered shape instead of
/// walking it again. A tracker restored from its own schema after every document has no such
/// memory, so it walks every document: both must end with the same schema and report the same
/// changes, for random histories of documents with mixed types, arrays and nesting.
/// </summary>
public sealed class SchemaShapeCacheTests
{
    private static readonly string[] Names = ["id", "a", "b", "tags", "nested", "s"];

    private static readonly Gen<string> Scalar = Gen.OneOf(
        Gen.Int[-5, 5].Select(i => i.ToString(System.Globalization.CultureInfo.InvariantCulture)),
        Gen.Const("1.5"),
        Gen.Const("\"text\""),
        Gen.Const("true"),
        Gen.Const("null"));

    private static Gen<string> Value(int depth) => depth == 0
        ? Scalar
        : Gen.Frequency(
            (4, Scalar),
            (1, Scalar.Array[0, 4].Select(items => "[" + string.Join(",", items) + "]")),
            (1, Gen.Int[0, 3].SelectMany(n => Object(depth - 1, n))));

    private static Gen<string> Object(int depth, int fields) =>
        Gen.Select(Gen.Int[0, Names.Length - 1], Value(depth), (name, value) => $"\"{Names[name]}\":{value}").Array[fields]
            .Select(pairs => "{" + string.Join(",", pairs.DistinctBy(p => p[..p.IndexOf(':', StringComparison.Ordinal)])) + "}");

    [Fact]
    public void remembered_shapes_give_the_same_schema_as_walking_every_document()
    {
        Gen.Int[1, 4].SelectMany(n => Object(2, n)).Array[1, 40].Sample(documents =>
        {
            var cached = new SchemaTracker();
            var walked = new SchemaTracker();
            for (var i = 0; i < documents.Length; i++)
            {
                var json = Encoding.UTF8.GetBytes(documents[i]);
                var seq = i + 1;
                Assert.Equal(walked.Observe(seq, $"k{i}", json), cached.Observe(seq, $"k{i}", json));
                walked = new SchemaTracker(walked.ToSchema());
            }
            Assert.Equal(JsonSerializer.Serialize(walked.ToSchema()), JsonSerializer.Serialize(cached.ToSchema()));
        }, iter: 300);
    }
}
