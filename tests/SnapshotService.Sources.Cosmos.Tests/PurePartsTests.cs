using System.Text;
using System.Text.Json;

namespace SnapshotService.Sources.Cosmos.Tests;

/// <summary>Position codec, key encoding, system-property stripping, versions and option validation.</summary>
public sealed class PurePartsTests
{
    [Fact]
    public void a_position_round_trips_through_its_compact_versioned_json()
    {
        var position = new CosmosPosition
        {
            Mode = "av",
            Ranges = [new RangeCursor { FeedRange = "{\"Range\":{\"min\":\"\",\"max\":\"FF\"}}", Continuation = "c1", SkipThroughLsn = 7, CaughtUpAtMs = 42 }],
            Backfill = new BackfillCursor { Keys = ["a", "b"], KeysDone = 1 },
        };

        var token = position.ToSourcePosition().Token;
        var parsed = CosmosPosition.Parse(token, "s");

        Assert.StartsWith("{\"v\":1,", token, StringComparison.Ordinal);
        Assert.Equal(token, parsed.ToSourcePosition().Token);
        Assert.Equal(7, parsed.Ranges[0].SkipThroughLsn);
        Assert.Equal(["a", "b"], parsed.Backfill!.Keys!);
    }

    [Fact]
    public void a_position_of_another_version_or_another_adapter_is_refused_with_the_source_named()
    {
        var other = Assert.Throws<ArgumentException>(() => CosmosPosition.Parse("{\"v\":9,\"r\":[{\"f\":\"x\"}]}", "orders"));
        var foreign = Assert.Throws<ArgumentException>(() => CosmosPosition.Parse("sim:12", "orders"));

        Assert.Contains("'orders'", other.Message, StringComparison.Ordinal);
        Assert.Contains("version 9", other.Message, StringComparison.Ordinal);
        Assert.Contains("not a position this adapter wrote", foreign.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void keys_are_the_id_when_the_partition_key_is_the_id_and_sort_by_id_first_otherwise()
    {
        var byId = new CosmosKeys(["/id"]);
        var byPk = new CosmosKeys(["/pk"]);
        using var doc = JsonDocument.Parse("{\"id\":\"a\",\"pk\":\"zz\"}");

        Assert.Equal("a", byId.KeyOf("a", byId.PartitionKeyJson(doc.RootElement)));
        var key = byPk.KeyOf("a", byPk.PartitionKeyJson(doc.RootElement));
        Assert.Equal("a\0\"zz\"", key);
        Assert.Equal("a", byPk.Parse(key).Id);
        Assert.Equal("a", byPk.IdPart(key));
        // id order decides: "a" < "a!" even though the partition key of "a" is larger.
        Assert.True(string.CompareOrdinal(key, byPk.KeyOf("a!", "\"aa\"")) < 0);
        Assert.Throws<InvalidOperationException>(() => byPk.KeyOf("bad\0id", "\"x\""));
        Assert.Throws<FormatException>(() => byPk.Parse("no-partition-part"));
    }

    [Fact]
    public void numeric_and_hierarchical_partition_keys_are_carried_as_json()
    {
        var hierarchical = new CosmosKeys(["/tenant", "/user"]);
        using var doc = JsonDocument.Parse("{\"id\":\"a\",\"tenant\":\"t1\",\"user\":5}");

        var json = hierarchical.PartitionKeyJson(doc.RootElement);

        Assert.Equal("[\"t1\",5]", json);
        Assert.Equal("[\"t1\",5]", CosmosKeys.DisplayPartitionKey(json));
        Assert.Equal("t1", CosmosKeys.DisplayPartitionKey("\"t1\""));
        Assert.Null(CosmosKeys.DisplayPartitionKey(""));
        _ = hierarchical.ToPartitionKey(json);
    }

    [Fact]
    public void system_properties_are_left_out_of_the_stored_document()
    {
        using var doc = JsonDocument.Parse("{\"id\":\"a\",\"_rid\":\"r\",\"v\":{\"_ts\":1},\"_self\":\"s\",\"_etag\":\"e\",\"_attachments\":\"at\",\"_ts\":5,\"_lsn\":9,\"_custom\":1}");

        var stripped = Encoding.UTF8.GetString(CosmosDocuments.Strip(doc.RootElement));

        Assert.Equal("{\"id\":\"a\",\"v\":{\"_ts\":1},\"_custom\":1}", stripped);
    }

    [Fact]
    public void versions_order_by_seconds_then_lsn_so_scans_and_the_feed_share_one_scale()
    {
        Assert.True(CosmosDocuments.VersionOf(100, 7) > CosmosDocuments.VersionOf(100, 6));
        Assert.True(CosmosDocuments.VersionOf(101, 0) > CosmosDocuments.VersionOf(100, 999_999));
        Assert.Equal(DateTimeOffset.FromUnixTimeSeconds(100), CosmosDocuments.TimeOf(CosmosDocuments.VersionOf(100, 7)));
    }

    [Fact]
    public void bad_configuration_names_the_source_and_the_setting()
    {
        var problems = new CosmosSourceOptions { Endpoint = "http://x", AuthMode = CosmosAuthMode.Key, StartFrom = CosmosStartFrom.Time, MaxItemCount = 0, ServerCertificateThumbprint = "AB" }.Validate("orders");

        Assert.Contains(problems, p => p.Contains("SnapshotService:Sources:orders:Cosmos:Endpoint 'http://x' is not an absolute https:// URI", StringComparison.Ordinal));
        Assert.Contains(problems, p => p.Contains("SnapshotService:Sources:orders:Cosmos:Database is required", StringComparison.Ordinal));
        Assert.Contains(problems, p => p.Contains("SnapshotService:Sources:orders:Cosmos:Container is required", StringComparison.Ordinal));
        Assert.Contains(problems, p => p.Contains(":Cosmos:Key is required when AuthMode is Key", StringComparison.Ordinal));
        Assert.Contains(problems, p => p.Contains(":Cosmos:StartTime is required", StringComparison.Ordinal));
        Assert.Contains(problems, p => p.Contains(":Cosmos:MaxItemCount must be between", StringComparison.Ordinal));
        Assert.Empty(new CosmosSourceOptions { Endpoint = "https://a.documents.azure.com:443/", Database = "d", Container = "c" }.Validate("orders"));
        Assert.Contains(new CosmosSourceOptions { Endpoint = "https://a.documents.azure.com/", Database = "d", Container = "c", ServerCertificateThumbprint = "AB" }.Validate("o"),
            p => p.Contains("only allowed with a loopback Endpoint", StringComparison.Ordinal));
        var thrown = Assert.Throws<ArgumentException>(() => new CosmosChangeSource("orders", new CosmosSourceOptions()));
        Assert.Contains("Endpoint is required", thrown.Message, StringComparison.Ordinal);
    }
}
