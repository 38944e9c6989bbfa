using CsCheck;
using MongoDB.Bson;

namespace SnapshotService.Sources.Mongo.Tests;

public sealed class MongoKeysTests
{
    // Small alphabets make the interesting collisions (hex runs, '~', NUL) likely.
    private static readonly Gen<string> Strings = Gen.OneOf(
        Gen.Char["0123456789abcdefg~\0xZ"].Array[0, 30].Select(c => new string(c)),
        Gen.Char["0123456789abcdef"].Array[24].Select(c => new string(c)),
        Gen.Char["0123456789abcdef"].Array[24].Select(c => new string(c) + new string('\0', 2)),
        Gen.Char["~ab"].Array[0, 4].Select(c => "~" + new string(c)));

    [Fact]
    public void object_ids_are_24_lowercase_hex_digits()
    {
        var id = ObjectId.Parse("65A1B2C3D4E5F60718293A4B");
        Assert.Equal("65a1b2c3d4e5f60718293a4b", MongoKeys.Encode(id));
        Assert.Equal(new BsonObjectId(id), MongoKeys.Decode("65a1b2c3d4e5f60718293a4b"));
        Assert.Equal(MongoKeyFamily.ObjectId, MongoKeys.FamilyOf("65a1b2c3d4e5f60718293a4b"));
    }

    [Fact]
    public void strings_are_themselves_unless_they_could_be_read_as_another_family()
    {
        Assert.Equal("order-17", MongoKeys.Encode("order-17"));
        Assert.Equal("~~x", MongoKeys.Encode("~x"));
        Assert.Equal("65a1b2c3d4e5f60718293a4b\0", MongoKeys.Encode("65a1b2c3d4e5f60718293a4b"));
        Assert.Equal(new BsonString("~x"), MongoKeys.Decode("~~x"));
        Assert.Equal(new BsonString("65a1b2c3d4e5f60718293a4b"), MongoKeys.Decode("65a1b2c3d4e5f60718293a4b\0"));
    }

    [Fact]
    public void other_types_are_tilde_and_canonical_extended_json()
    {
        Assert.Equal("~{\"$numberInt\":\"42\"}", MongoKeys.Encode(42));
        Assert.Equal("~{\"$numberLong\":\"42\"}", MongoKeys.Encode(42L));
        var uuid = new BsonBinaryData(Guid.Parse("0f8fad5b-d9cb-469f-a165-70867728950e"), GuidRepresentation.Standard);
        var key = MongoKeys.Encode(uuid);
        Assert.StartsWith("~{\"$binary\":", key, StringComparison.Ordinal);
        Assert.Equal(uuid, MongoKeys.Decode(key));
        Assert.Equal(MongoKeyFamily.Other, MongoKeys.FamilyOf(key));
        var compound = new BsonDocument { { "tenant", "a" }, { "n", 1 } };
        Assert.Equal(compound, MongoKeys.Decode(MongoKeys.Encode(compound)));
    }

    [Fact]
    public void every_string_round_trips_and_string_order_is_kept()
    {
        Gen.Select(Strings, Strings).Sample((a, b) =>
        {
            Assert.Equal(new BsonString(a), MongoKeys.Decode(MongoKeys.Encode(a)));
            Assert.Equal(MongoKeyFamily.String, MongoKeys.FamilyOf(MongoKeys.Encode(a)));
            Assert.Equal(Math.Sign(string.CompareOrdinal(a, b)), Math.Sign(string.CompareOrdinal(MongoKeys.Encode(a), MongoKeys.Encode(b))));
        }, iter: 20_000);
    }

    [Fact]
    public void object_id_key_order_is_object_id_order()
    {
        Gen.Select(Gen.Byte.Array[12], Gen.Byte.Array[12]).Sample((a, b) =>
        {
            var x = new ObjectId(a);
            var y = new ObjectId(b);
            Assert.Equal(Math.Sign(x.CompareTo(y)), Math.Sign(string.CompareOrdinal(MongoKeys.Encode(x), MongoKeys.Encode(y))));
        }, iter: 5_000);
    }

    [Fact]
    public void hex_ceiling_is_the_smallest_object_id_key_at_or_after_a_bound()
    {
        var hex = Gen.Char["0123456789abcdef"].Array[24].Select(c => new string(c));
        Gen.Select(Strings, hex).Sample((bound, candidate) =>
        {
            var ceiling = MongoKeys.HexCeiling(bound);
            var atOrAfter = string.CompareOrdinal(candidate, bound) >= 0;
            Assert.Equal(atOrAfter, ceiling is not null && string.CompareOrdinal(candidate, ceiling) >= 0);
            if (ceiling is not null)
            {
                Assert.True(MongoKeys.IsObjectIdHex(ceiling));
                Assert.True(string.CompareOrdinal(ceiling, bound) >= 0);
            }
        }, iter: 20_000);
        Assert.Null(MongoKeys.HexCeiling("g"));
        Assert.Null(MongoKeys.HexCeiling("ffffffffffffffffffffffff\0"));
        Assert.Equal("b00000000000000000000000", MongoKeys.HexCeiling("apple"));
    }

    [Fact]
    public void string_bounds_never_exclude_a_string_whose_key_is_in_range()
    {
        Gen.Select(Strings, Strings).Sample((value, bound) =>
        {
            var key = MongoKeys.Encode(value);
            if (string.CompareOrdinal(key, bound) >= 0)
            {
                Assert.True(string.CompareOrdinal(value, MongoKeys.StringLowerBound(bound)) >= 0, $"lower bound of '{bound}' excludes '{value}'");
            }
            else
            {
                Assert.True(string.CompareOrdinal(value, MongoKeys.StringUpperBound(bound)) < 0, $"upper bound of '{bound}' excludes '{value}'");
            }
        }, iter: 20_000);
    }

    [Fact]
    public void only_ranges_that_reach_the_tilde_block_touch_other_keys()
    {
        Assert.True(MongoKeys.TouchesOther(KeyRange.All));
        Assert.False(MongoKeys.TouchesOther(new KeyRange("a", "b")));
        Assert.True(MongoKeys.TouchesOther(new KeyRange("a", null)));
        Assert.False(MongoKeys.TouchesOther(new KeyRange("~~", null)));
    }
}
