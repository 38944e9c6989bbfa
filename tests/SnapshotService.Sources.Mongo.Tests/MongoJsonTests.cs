using System.Text;
using MongoDB.Bson;
using SnapshotService.Hashing;

namespace SnapshotService.Sources.Mongo.Tests;

public sealed class MongoJsonTests
{
    private static BsonDocument EveryType() => new()
    {
        { "_id", ObjectId.Parse("65a1b2c3d4e5f60718293a4b") },
        { "int32", 1 },
        { "int64", 1L },
        { "double", 1.0 },
        { "fraction", 0.1 },
        { "nan", double.NaN },
        { "inf", double.PositiveInfinity },
        { "decimal", new BsonDecimal128(Decimal128.Parse("1.10")) },
        { "date", new BsonDateTime(1_700_000_000_123) },
        { "oid", ObjectId.Parse("000000000000000000000001") },
        { "binary", new BsonBinaryData([1, 2, 3]) },
        { "uuid", new BsonBinaryData(Guid.Parse("0f8fad5b-d9cb-469f-a165-70867728950e"), GuidRepresentation.Standard) },
        { "timestamp", new BsonTimestamp(1_700_000_000, 7) },
        { "regex", new BsonRegularExpression("^a", "i") },
        { "text", "zürich \"quoted\" \u0001" },
        { "bool", true },
        { "null", BsonNull.Value },
        { "array", new BsonArray { 1, "two", new BsonDocument("three", 3L) } },
        { "nested", new BsonDocument { { "z", 1 }, { "a", 2 } } },
        { "min", BsonMinKey.Value },
        { "max", BsonMaxKey.Value },
    };

    [Fact]
    public void every_bson_type_round_trips_exactly()
    {
        var original = EveryType();
        var json = MongoJson.ToJsonBytes(original);
        var back = MongoJson.FromJson(json);
        // Byte-equal BSON: same types, same values, same field order (NaN included, which Equals is not).
        Assert.Equal(original.ToBson(), back.ToBson());
        Assert.Equal(BsonType.Int32, back["int32"].BsonType);
        Assert.Equal(BsonType.Int64, back["int64"].BsonType);
        Assert.Equal(BsonType.Double, back["double"].BsonType);
        Assert.Equal("1.10", back["decimal"].AsDecimal128.ToString());
        Assert.Equal(BsonBinarySubType.UuidStandard, back["uuid"].AsBsonBinaryData.SubType);
        Assert.Equal(original.Names, back.Names);
    }

    [Fact]
    public void json_is_compact_canonical_extended_json()
    {
        var json = Encoding.UTF8.GetString(MongoJson.ToJsonBytes(new BsonDocument { { "_id", 7 }, { "n", 1L }, { "d", 2.5 }, { "t", "zürich" } }));
        Assert.Equal("{\"_id\":{\"$numberInt\":\"7\"},\"n\":{\"$numberLong\":\"1\"},\"d\":{\"$numberDouble\":\"2.5\"},\"t\":\"zürich\"}", json);
    }

    [Fact]
    public void field_order_is_kept_in_the_json_but_does_not_change_the_content_hash()
    {
        var ab = MongoJson.ToJsonBytes(new BsonDocument { { "a", 1 }, { "b", 2 } });
        var ba = MongoJson.ToJsonBytes(new BsonDocument { { "b", 2 }, { "a", 1 } });
        Assert.NotEqual(Encoding.UTF8.GetString(ab), Encoding.UTF8.GetString(ba));
        Assert.Equal(ContentHasher.Hash(ab, ContentHashOptions.Default), ContentHasher.Hash(ba, ContentHashOptions.Default));
    }

    [Fact]
    public void numeric_types_hash_differently_because_they_restore_differently()
    {
        var int32 = MongoJson.ToJsonBytes(new BsonDocument("n", 1));
        var int64 = MongoJson.ToJsonBytes(new BsonDocument("n", 1L));
        Assert.NotEqual(ContentHasher.Hash(int32, ContentHashOptions.Default), ContentHasher.Hash(int64, ContentHashOptions.Default));
    }

    [Fact]
    public void malformed_json_is_a_format_exception()
    {
        Assert.Throws<FormatException>(() => MongoJson.FromJson("{\"a\":"u8));
    }
}
