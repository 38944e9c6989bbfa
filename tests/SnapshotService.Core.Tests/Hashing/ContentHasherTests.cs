using System.IO.Hashing;
using System.Text;
using System.Text.Json.Nodes;
using CsCheck;
using SnapshotService.Hashing;

namespace SnapshotService.Core.Tests.Hashing;

public sealed class ContentHasherTests
{
    private static ContentHashOptions OptionsNamed(string name) => name switch
    {
        "default" => ContentHashOptions.Default,
        "cosmos" => ContentHashOptions.Cosmos,
        _ => throw new ArgumentException($"Unknown options '{name}' in a hash vector."),
    };

    public static TheoryData<int> VectorNumbers => [.. HashVectors.All.Select(v => v.Number)];

    [Theory]
    [MemberData(nameof(VectorNumbers))]
    public void vector_canonicalizes_and_hashes_as_specified(int number)
    {
        var v = HashVectors.All.Single(x => x.Number == number);
        var input = Encoding.UTF8.GetBytes(v.Input);
        Assert.Equal(v.Canonical, Encoding.UTF8.GetString(ContentHasher.Canonicalize(input, OptionsNamed(v.Options))));
        Assert.Equal(v.Hash, ContentHasher.Hash(input, OptionsNamed(v.Options)));
        // The hash is XxHash128 (seed 0) of the canonical bytes, big-endian hex.
        Assert.Equal(v.Hash, Convert.ToHexStringLower(XxHash128.Hash(Encoding.UTF8.GetBytes(v.Canonical))));
    }

    [Fact]
    public void the_vector_table_in_docs_export_format_matches_the_code()
    {
        var doc = File.ReadAllLines(Path.Combine(RepositoryRoot(), "docs", "export-format.md"));
        var begin = Array.FindIndex(doc, l => l.Contains("<!-- hash-vectors:begin -->", StringComparison.Ordinal));
        var end = Array.FindIndex(doc, l => l.Contains("<!-- hash-vectors:end -->", StringComparison.Ordinal));
        Assert.True(begin >= 0 && end > begin, "docs/export-format.md must hold the vector table between hash-vectors markers");
        var rows = doc[(begin + 1)..end]
            .Where(l => l.StartsWith("| ", StringComparison.Ordinal) && char.IsDigit(l[2]))
            .Select(ParseRow)
            .ToList();
        Assert.Equal(HashVectors.All, rows);
    }

    private static HashVectors.Vector ParseRow(string line)
    {
        var cells = line.Trim('|').Split(" | ").Select(c => c.Trim()).ToArray();
        Assert.Equal(5, cells.Length);
        static string Code(string cell) => cell.StartsWith('`') && cell.EndsWith('`') ? cell[1..^1] : throw new FormatException($"Expected a `code` cell: {cell}");
        return new HashVectors.Vector(int.Parse(cells[0], System.Globalization.CultureInfo.InvariantCulture), cells[1], Code(cells[2]), Code(cells[3]), Code(cells[4]));
    }

    private static string RepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "SnapshotService.sln")))
            {
                return dir.FullName;
            }
        }
        throw new InvalidOperationException("SnapshotService.sln not found above the test directory.");
    }

    [Theory]
    [InlineData("""{"a":1,"b":[1,2,{"c":"d"}]}""", """{ "b" : [ 1, 2, { "c" : "d" } ], "a" : 1 }""")]
    [InlineData("""{"n":1}""", """{"n":1.0}""")]
    [InlineData("""{"n":100}""", """{"n":1e2}""")]
    [InlineData("""{"n":100}""", """{"n":1.00E+2}""")]
    [InlineData("""{"n":0}""", """{"n":-0}""")]
    [InlineData("""{"n":0.1}""", """{"n":1e-1}""")]
    [InlineData("""{"s":"A"}""", """{"s":"\u0041"}""")]
    [InlineData("""{"s":"é"}""", """{"s":"\u00E9"}""")]
    [InlineData("""{"s":"/"}""", """{"s":"\/"}""")]
    [InlineData("""{"s":"a\"b"}""", """{"s":"a\u0022b"}""")]
    [InlineData("""{"a":1}""", "\n\t{\r\n\"a\"  :\t1 }\n")]
    public void equivalent_spellings_hash_equal(string a, string b) =>
        Assert.Equal(ContentHasher.Hash(Encoding.UTF8.GetBytes(a), ContentHashOptions.Default), ContentHasher.Hash(Encoding.UTF8.GetBytes(b), ContentHashOptions.Default));

    [Theory]
    [InlineData("""{"a":1}""", """{"a":2}""")]
    [InlineData("""{"a":1}""", """{"a":"1"}""")]
    [InlineData("""{"a":[1,2]}""", """{"a":[2,1]}""")]
    [InlineData("""{"a":null}""", """{}""")]
    [InlineData("""{"a":{"_ts":1}}""", """{"a":{"_ts":2}}""")]
    [InlineData("""{"a":"x"}""", """{"A":"x"}""")]
    public void different_content_hashes_differently(string a, string b) =>
        Assert.NotEqual(ContentHasher.Hash(Encoding.UTF8.GetBytes(a), ContentHashOptions.Cosmos), ContentHasher.Hash(Encoding.UTF8.GetBytes(b), ContentHashOptions.Cosmos));

    [Fact]
    public void excluded_fields_are_ignored_at_the_top_level_only()
    {
        var a = ContentHasher.Hash("""{"id":"1","_ts":1,"_etag":"a"}"""u8, ContentHashOptions.Cosmos);
        var b = ContentHasher.Hash("""{"_etag":"b","id":"1","_ts":2}"""u8, ContentHashOptions.Cosmos);
        Assert.Equal(a, b);
        Assert.Equal(ContentHasher.Hash("""{"id":"1"}"""u8, ContentHashOptions.Default), a);
        Assert.NotEqual(a, ContentHasher.Hash("""{"id":"1","_ts":1}"""u8, ContentHashOptions.Default));
        var custom = new ContentHashOptions(new HashSet<string>(StringComparer.Ordinal) { "updatedAt" });
        Assert.Equal(ContentHasher.Hash("""{"x":1}"""u8, custom), ContentHasher.Hash("""{"x":1,"updated\u0041t":"now"}"""u8, custom));
    }

    [Theory]
    [InlineData("")]
    [InlineData("{")]
    [InlineData("""{"a":1,}""")]
    [InlineData("""{"a":1} {"b":2}""")]
    [InlineData("""{"a":1} x""")]
    [InlineData("// comment\n{\"a\":1}")]
    [InlineData("""{"a":"\ud800"}""")]
    [InlineData("nul")]
    public void invalid_json_is_refused_with_invalid_data(string json) =>
        Assert.Throws<InvalidDataException>(() => ContentHasher.Hash(Encoding.UTF8.GetBytes(json), ContentHashOptions.Default));

    [Fact]
    public void invalid_utf8_in_a_string_is_refused() =>
        Assert.Throws<InvalidDataException>(() => ContentHasher.Hash([(byte)'"', 0xFF, (byte)'"'], ContentHashOptions.Default));

    [Fact]
    public void deep_and_large_documents_hash()
    {
        var deep = string.Concat(Enumerable.Repeat("[", 200)) + string.Concat(Enumerable.Repeat("]", 200));
        Assert.Equal(32, ContentHasher.Hash(Encoding.UTF8.GetBytes(deep), ContentHashOptions.Default).Length);
        var wide = "{" + string.Join(",", Enumerable.Range(0, 5000).Reverse().Select(i => $"\"k{i}\":{i}")) + "}";
        var sorted = "{" + string.Join(",", Enumerable.Range(0, 5000).Select(i => $"k{i}").Order(StringComparer.Ordinal).Select(k => $"\"{k}\":{k[1..]}")) + "}";
        Assert.Equal(sorted, Encoding.UTF8.GetString(ContentHasher.Canonicalize(Encoding.UTF8.GetBytes(wide), ContentHashOptions.Default)));
    }

    private static readonly Gen<JsonNode?> JsonValues = Gen.Recursive<JsonNode?>((depth, inner) =>
    {
        var leaf = Gen.OneOf<JsonNode?>(
            Gen.Bool.Select(b => (JsonNode?)JsonValue.Create(b)),
            Gen.Long.Select(l => (JsonNode?)JsonValue.Create(l)),
            Gen.Double[-1e6, 1e6].Select(d => (JsonNode?)JsonValue.Create(d)),
            Gen.String.Select(s => (JsonNode?)JsonValue.Create(s)),
            Gen.Const((JsonNode?)null));
        if (depth >= 3)
        {
            return leaf;
        }
        var obj = Gen.Dictionary(Gen.String[Gen.Char, 0, 6], inner)[0, 6].Select(d => (JsonNode?)new JsonObject(d.Select(kv => KeyValuePair.Create(kv.Key, kv.Value))));
        var arr = inner.Array[0, 5].Select(a => (JsonNode?)new JsonArray(a));
        return Gen.OneOf(leaf, obj, arr);
    });

    [Fact]
    public void key_order_and_whitespace_never_change_the_hash() =>
        Check.Sample(Gen.Select(JsonValues, Gen.Int), (node, seed) =>
        {
            var compact = Encoding.UTF8.GetBytes(node?.ToJsonString() ?? "null");
            var reordered = Encoding.UTF8.GetBytes(Shuffle(node, new Random(seed))?.ToJsonString(new System.Text.Json.JsonSerializerOptions { WriteIndented = true }) ?? "null");
            var canonical = ContentHasher.Canonicalize(compact, ContentHashOptions.Default);
            Assert.Equal(ContentHasher.Hash(compact, ContentHashOptions.Default), ContentHasher.Hash(reordered, ContentHashOptions.Default));
            // Canonicalization is idempotent and the canonical form is valid JSON.
            Assert.Equal(canonical, ContentHasher.Canonicalize(canonical, ContentHashOptions.Default));
            Assert.True(JsonNode.DeepEquals(JsonNode.Parse(compact), JsonNode.Parse(canonical)) || HasNumbers(node));
        }, iter: 2000);

    private static bool HasNumbers(JsonNode? node) => node?.ToJsonString().Any(char.IsDigit) ?? false;

    private static JsonNode? Shuffle(JsonNode? node, Random random) => node switch
    {
        JsonObject o => new JsonObject(o.Select(kv => KeyValuePair.Create(kv.Key, Shuffle(kv.Value, random))).OrderBy(_ => random.Next()).ToList()),
        JsonArray a => new JsonArray(a.Select(x => Shuffle(x, random)).ToArray()),
        _ => node?.DeepClone(),
    };
}
