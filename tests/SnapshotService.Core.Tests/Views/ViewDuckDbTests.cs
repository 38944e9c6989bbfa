using DuckDB.NET.Data;
using SnapshotService.Log;
using SnapshotService.Storage;
using SnapshotService.Testing;
using SnapshotService.Views;

namespace SnapshotService.Core.Tests.Views;

/// <summary>
/// An outside reader (DuckDB, in-process) opens the views and the raw segments with the exact
/// queries docs/export-format.md shows, and sees the same rows and hashes we do.
/// </summary>
public sealed class ViewDuckDbTests
{
    [Fact]
    public async Task duckdb_reads_jsonl_and_parquet_views_and_raw_segments_with_our_counts_and_hashes()
    {
        using var temp = new TempDirectory("views-duckdb");
        var store = new FileSystemObjectStore(temp.Path);
        var history = ViewTestSource.History(seed: 42, keySpace: 300, changes: 1500);
        var log = await ExportLog.OpenAsync(store, ViewTestSource.Source, new ExportLogOptions(), default);
        await ViewTestSource.CaptureAsync(store, log, history, 0, 1500, batch: 100, compactAt: 800);
        const long seq = 1200;
        var anchor = ViewTestSource.Anchor("s1", seq);
        var options = new ViewOptions { RowsPerPart = 50 };
        var jsonl = await ViewMaterializer.MaterializeAsync(store, ViewTestSource.Source, anchor, ViewFormat.Jsonl, options, null, default);
        var parquet = await ViewMaterializer.MaterializeAsync(store, ViewTestSource.Source, anchor, ViewFormat.Parquet, options, null, default);
        var expected = ViewTestSource.ExpectedAt(history, seq);
        var documentMd5 = history.StateAfter(seq).Documents(Sources.KeyRange.All)
            .Select(d => Convert.ToHexStringLower(System.Security.Cryptography.MD5.HashData(d.Document.Span))).ToList();
        Assert.True(jsonl.Parts.Count > 1);

        var root = Path.Combine(temp.Path, "sources", ViewTestSource.Source);
        await using var duck = new DuckDBConnection("Data Source=:memory:");
        await duck.OpenAsync();

        // The queries below are the ones docs/export-format.md shows (with {root} filled in).
        var jsonlRows = await QueryAsync(duck, $$"""
            SELECT key, content_hash, md5(document::VARCHAR) AS d
            FROM read_json('{{root}}/views/s1/jsonl/part-*.jsonl.zst', format = 'newline_delimited', compression = 'zstd',
                           columns = {key: 'VARCHAR', partition_key: 'VARCHAR', seq: 'BIGINT', source_version: 'BIGINT', content_hash: 'VARCHAR', document: 'JSON'})
            ORDER BY key
            """);
        var parquetRows = await QueryAsync(duck, $"""
            SELECT key, content_hash, md5(document) AS d
            FROM read_parquet('{root}/views/s1/parquet/part-*.parquet')
            ORDER BY key
            """);
        var segmentRows = await QueryAsync(duck, $"""
            SELECT key, content_hash, NULL AS d
            FROM (
              SELECT *, row_number() OVER (PARTITION BY key ORDER BY seq DESC) AS newest
              FROM read_json('{root}/segments/*.jsonl.zst', format = 'newline_delimited', compression = 'zstd')
              WHERE seq <= {seq}
            )
            WHERE newest = 1 AND op = 'upsert'
            ORDER BY key
            """);
        var segmentCount = (long)(await ScalarAsync(duck, $"SELECT count(*) FROM read_json('{root}/segments/*.jsonl.zst', format = 'newline_delimited', compression = 'zstd')"))!;

        Assert.Equal(expected.Count, jsonlRows.Count);
        Assert.Equal(expected.Keys, jsonlRows.Select(r => r.Key));
        Assert.Equal(expected.Values, jsonlRows.Select(r => r.Hash));
        Assert.Equal(documentMd5, jsonlRows.Select(r => r.Document));
        Assert.Equal(documentMd5, parquetRows.Select(r => r.Document));
        Assert.Equal(expected.Keys, parquetRows.Select(r => r.Key));
        Assert.Equal(expected.Values, parquetRows.Select(r => r.Hash));
        Assert.Equal(expected.Keys, segmentRows.Select(r => r.Key));
        Assert.Equal(expected.Values, segmentRows.Select(r => r.Hash));
        Assert.Equal(1500L, segmentCount);
        Assert.Equal(jsonl.Rows, parquet.Rows);
        Assert.Equal(jsonl.ContentChecksum, parquet.ContentChecksum);
    }

    private static async Task<List<(string Key, string Hash, string? Document)>> QueryAsync(DuckDBConnection duck, string sql)
    {
        await using var command = duck.CreateCommand();
        command.CommandText = sql;
        await using var reader = await command.ExecuteReaderAsync();
        var rows = new List<(string, string, string?)>();
        while (await reader.ReadAsync())
        {
            rows.Add((reader.GetString(0), reader.GetString(1), await reader.IsDBNullAsync(2) ? null : reader.GetString(2)));
        }
        return rows;
    }

    private static async Task<object?> ScalarAsync(DuckDBConnection duck, string sql)
    {
        await using var command = duck.CreateCommand();
        command.CommandText = sql;
        return await command.ExecuteScalarAsync();
    }
}
