using Npgsql;

namespace EventLeaderboard.Server.Schema;

/// <summary>
/// Columns whose large values PostgreSQL compresses with lz4 instead of its default pglz. Per
/// 1,000-score batch the log event (~75 KB of JSON) and the subscription message blob (~217 KB)
/// are both compressed on the ingest path, and pglz is several times slower than lz4 at a similar
/// ratio: in the batch profiles pglz was 12% of all CPU with both on pglz, 4% with the event alone
/// (docs/load-testing.md). Setting it changes only how new values are stored: values written before
/// stay readable as they are. Where the server has no lz4 (before PostgreSQL 14, or built without
/// it) the columns keep the default and nothing fails.
/// </summary>
public static class Lz4Compression
{
    /// <summary>Statements that make <paramref name="columns"/> of <paramref name="table"/> (schema-qualified) use lz4.</summary>
    public static string SetSql(string table, string[] columns) => $"""
        DO $lz4$ BEGIN
            EXECUTE 'ALTER TABLE {table} {string.Join(", ", columns.Select(c => $"ALTER COLUMN {c} SET COMPRESSION lz4"))}';
        EXCEPTION WHEN feature_not_supported OR syntax_error THEN
            RAISE NOTICE 'This PostgreSQL has no lz4: {table} keeps the default compression';
        END $lz4$;
        """;

    /// <summary>
    /// Whether the columns use lz4 already, or the server has no lz4 to use (pg_settings lists only
    /// the methods the server has). Two statements: before 14 <c>pg_attribute</c> has no
    /// <c>attcompression</c> to name. A table that does not exist counts as not in place.
    /// </summary>
    public static async Task<bool> InPlaceAsync(NpgsqlDataSource dataSource, string table, string[] columns, CancellationToken ct)
    {
        await using var supported = dataSource.CreateCommand(
            "SELECT coalesce(bool_or('lz4' = ANY(enumvals)), false) FROM pg_settings WHERE name = 'default_toast_compression'");
        if (!(bool)(await supported.ExecuteScalarAsync(ct))!) return true;
        await using var probe = dataSource.CreateCommand("""
            SELECT count(*) = cardinality(@columns) FROM pg_attribute WHERE attrelid = to_regclass(@table)
                AND attname = ANY(@columns) AND attcompression = 'l' AND NOT attisdropped
            """);
        probe.Parameters.AddWithValue("table", table);
        probe.Parameters.AddWithValue("columns", columns);
        return (bool)(await probe.ExecuteScalarAsync(ct))!;
    }
}
