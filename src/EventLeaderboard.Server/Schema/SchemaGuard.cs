using EventLeaderboard.Server.Configuration;
using EventLeaderboard.Server.Snapshots;
using Marten;
using Microsoft.Extensions.Options;

namespace EventLeaderboard.Server.Schema;

/// <summary>
/// The node's schema policy, checked once before anything reads or writes the database.
/// <see cref="StorageOptions.ApplyMigrationsOnStartup"/> true (development): Marten creates or
/// updates its objects and the project's tables are created if missing. False (production): the
/// node changes nothing, and refuses to start when a script of <c>migrations/</c> is not recorded
/// as applied (naming it) or when Marten finds its objects different from its configuration.
/// </summary>
public sealed class SchemaGuard(
    IDocumentStore store,
    SnapshotStore snapshots,
    Migrator migrator,
    Npgsql.NpgsqlDataSource dataSource,
    IOptions<StorageOptions> storage,
    ILogger<SchemaGuard> logger)
{
    readonly Lock _gate = new();
    Task? _check;

    /// <summary>
    /// Runs the check once; later callers share its outcome while it runs or after it succeeded. A
    /// failed or cancelled check is not remembered: a passing database error must not fail every
    /// later caller for the life of the process.
    /// </summary>
    public Task EnsureAsync(CancellationToken ct)
    {
        lock (_gate)
        {
            if (_check is null || _check.IsFaulted || _check.IsCanceled) _check = CheckAsync(ct);
            return _check;
        }
    }

    async Task CheckAsync(CancellationToken ct)
    {
        if (storage.Value.ApplyMigrationsOnStartup)
        {
            await store.Storage.ApplyAllConfiguredChangesToDatabaseAsync();
            if (!await Lz4Compression.InPlaceAsync(dataSource, EventDataTable, EventDataColumns, ct))
                await RunAsync(EventDataCompressionSql(storage.Value.Schema), ct);
            // Only what is missing: the snapshot script's ALTER TABLE takes an ACCESS EXCLUSIVE lock
            // on the chunks table even when there is nothing to change.
            if (!await ExistAsync([SnapshotTables.Snapshots, SnapshotTables.Chunks], ct)) await snapshots.EnsureTablesAsync(ct);
            if (!await ExistAsync([History.HistoryTables.Rows, History.HistoryTables.Watermark], ct)) await EnsureHistoryTablesAsync(ct);
            else await UpgradeHistoryTableAsync(ct);
            return;
        }
        var missing = await migrator.MissingAsync(ct);
        if (missing.Count > 0)
            throw new SchemaMismatchException(
                $"The database lacks migration {missing[0]}" + (missing.Count > 1 ? $" (and {missing.Count - 1} more: {string.Join(", ", missing.Skip(1))})" : "") +
                ". Storage:ApplyMigrationsOnStartup is false, so this node does not change the schema: apply migrations/ first " +
                "(dotnet run --project src/EventLeaderboard.Server -- migrate).");
        try
        {
            await store.Storage.Database.AssertDatabaseMatchesConfigurationAsync(ct);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            throw new SchemaMismatchException(
                "Every migration is recorded, but the event store's tables and functions differ from what this build expects " +
                "(a code change without a new migration?): " + e.Message, e);
        }
        logger.LogInformation("Schema matches: all {Count} migrations applied", Migrations.Count);
    }

    static IReadOnlyList<MigrationScript> Migrations => MigrationScripts.All;

    /// <summary>
    /// What <c>migrations/0009_event_data_lz4.sql</c> does to Marten's event table (keep the two in
    /// step): a 1,000-score event is ~75 KB of JSON, and compressing it with pglz was 4% of all CPU
    /// in batch ingest (see <see cref="Lz4Compression"/>). Marten neither sets nor checks a column's
    /// compression, so this stays as set.
    /// </summary>
    public static string EventDataCompressionSql(string schema) => Lz4Compression.SetSql($"{schema}.mt_events", EventDataColumns);

    string EventDataTable => storage.Value.Schema + ".mt_events";

    static readonly string[] EventDataColumns = ["data"];

    /// <summary>Whether every named table of the event store's schema exists (a catalog read).</summary>
    async Task<bool> ExistAsync(string[] tables, CancellationToken ct)
    {
        await using var cmd = dataSource.CreateCommand("SELECT bool_and(to_regclass(@schema || '.' || t) IS NOT NULL) FROM unnest(@tables) t");
        cmd.Parameters.AddWithValue("schema", storage.Value.Schema);
        cmd.Parameters.AddWithValue("tables", tables);
        return (bool)(await cmd.ExecuteScalarAsync(ct))!;
    }

    Task EnsureHistoryTablesAsync(CancellationToken ct) => RunAsync(History.HistoryTables.CreateSql(storage.Value.Schema), ct);

    /// <summary>
    /// Brings a history table created by an older development node to what migrations 0006 (ids
    /// compare bytes) and 0008 (the hashed key) made of it; one catalog read when it is current.
    /// </summary>
    async Task UpgradeHistoryTableAsync(CancellationToken ct)
    {
        await using var cmd = dataSource.CreateCommand("""
            SELECT (SELECT coalesce(bool_and(c.collname = 'C'), false) FROM pg_attribute a JOIN pg_collation c ON c.oid = a.attcollation
                    WHERE a.attrelid = to_regclass(@table) AND a.attname IN ('board_id', 'player_id') AND NOT a.attisdropped),
                   to_regclass(@index) IS NOT NULL
                   AND NOT EXISTS (SELECT 1 FROM pg_constraint WHERE conrelid = to_regclass(@table) AND contype = 'p')
            """);
        cmd.Parameters.AddWithValue("table", storage.Value.Schema + "." + History.HistoryTables.Rows);
        cmd.Parameters.AddWithValue("index", storage.Value.Schema + "." + History.HistoryTables.KeyIndex);
        bool bytes, hashed;
        await using (var reader = await cmd.ExecuteReaderAsync(ct))
        {
            await reader.ReadAsync(ct);
            (bytes, hashed) = (reader.GetBoolean(0), reader.GetBoolean(1));
        }
        if (!bytes) await RunAsync(History.HistoryTables.CollationSql(storage.Value.Schema), ct);
        if (!hashed) await RunAsync(History.HistoryTables.HashedKeySql(storage.Value.Schema), ct);
    }

    async Task RunAsync(string sql, CancellationToken ct)
    {
        await using var cmd = dataSource.CreateCommand(sql);
        await cmd.ExecuteNonQueryAsync(ct);
    }
}

/// <summary>The database schema is not what this build of the node expects.</summary>
public sealed class SchemaMismatchException(string message, Exception? inner = null) : Exception(message, inner);

/// <summary>Fails start-up (before the node serves anything) when <see cref="SchemaGuard"/> refuses the database.</summary>
public sealed class SchemaCheck(SchemaGuard guard) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken) => guard.EnsureAsync(cancellationToken);

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
