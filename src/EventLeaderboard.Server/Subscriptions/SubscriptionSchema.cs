using EventLeaderboard.Server.Configuration;
using Microsoft.Extensions.Options;
using Npgsql;

namespace EventLeaderboard.Server.Subscriptions;

/// <summary>
/// The subscription tables (migrations 0002, 0004, 0005 and 0007 hold the same statements). All live in
/// the event store's schema.
/// </summary>
/// <remarks>
/// <list type="bullet">
/// <item><c>sub_messages</c>: one row per log event that derived messages (seq_id, blob, the mask of
/// the kinds it holds, its rare messages alone). Immutable.</item>
/// <item><c>sub_watermark</c>: one row; every seq_id up to <c>written_up_to</c> has its row (or has none to have).</item>
/// <item><c>sub_groups</c>: definition and cursor (the ordinal of the next message to hand out).</item>
/// <item><c>sub_pending_ranges</c>: messages taken from the log and not yet acknowledged, one row per board
/// per read (<see cref="PendingRange"/>); <c>deadline</c> null means queued for <c>consumer</c> and not delivered yet.</item>
/// <item><c>sub_dead</c>: dead letters. <c>sub_consumers</c>: last time each consumer read.</item>
/// </list>
/// </remarks>
public sealed class SubscriptionSchema(NpgsqlDataSource dataSource, IOptions<StorageOptions> storage, IServiceProvider services)
{
    /// <summary>Serializes concurrent creation by several nodes ("LBSUBS" in ASCII).</summary>
    const long CreateLockKey = 0x4C4253554253;

    readonly Lock _gate = new();
    readonly bool _mayChangeSchema = storage.Value.ApplyMigrationsOnStartup;
    Task<long>? _initial;

    public string Name { get; } = storage.Value.Schema;

    /// <summary>The watermark found at start-up, once <see cref="EnsureCreatedAsync"/> has succeeded; null before.</summary>
    public long? InitialWatermark => _initial is { IsCompletedSuccessfully: true } done ? done.Result : null;

    /// <summary>
    /// Makes sure the tables exist and returns the watermark found at start-up (once; later callers
    /// share the outcome). A failure is not remembered: the next caller tries again.
    /// </summary>
    /// <remarks>
    /// With <see cref="StorageOptions.ApplyMigrationsOnStartup"/> false the node never changes the
    /// schema: <see cref="Schema.SchemaGuard"/> has checked that migrations/ (which create these
    /// tables) are applied, and this only reads the watermark. True (development): the DDL runs
    /// only when something is missing: even an <c>ALTER TABLE ... ADD COLUMN IF NOT EXISTS</c> that
    /// finds the column takes an ACCESS EXCLUSIVE lock on <c>sub_messages</c>, which waits for its
    /// open readers and holds up every other one meanwhile, at every start of every node.
    /// </remarks>
    public Task<long> EnsureCreatedAsync(CancellationToken ct)
    {
        if (_initial is { IsCompletedSuccessfully: true } known) return known;
        Task<long> shared;
        lock (_gate)
        {
            if (_initial is null || _initial.IsFaulted || _initial.IsCanceled) _initial = CreateAsync();
            shared = _initial;
        }
        return shared.IsCompleted ? shared : shared.WaitAsync(ct);
    }

    /// <summary>The watermark as it is now: every seq_id up to it has its messages row (or has none to have).</summary>
    public async Task<long> ReadWatermarkAsync(CancellationToken ct)
    {
        await using var read = dataSource.CreateCommand($"SELECT written_up_to FROM {Name}.sub_watermark WHERE id = 1");
        return (long)(await read.ExecuteScalarAsync(ct))!;
    }

    /// <remarks>Not bound to one caller's cancellation: other callers share the task.</remarks>
    async Task<long> CreateAsync()
    {
        if (services.GetService<Schema.SchemaGuard>() is { } guard) await guard.EnsureAsync(CancellationToken.None);
        if (_mayChangeSchema && !await CompleteAsync(CancellationToken.None))
            await CreateTablesAsync(CancellationToken.None);
        return await ReadWatermarkAsync(CancellationToken.None);
    }

    /// <summary>Whether every table, column and index of the scripts below exists (a catalog read, no lock on the tables).</summary>
    async Task<bool> CompleteAsync(CancellationToken ct)
    {
        await using var probe = dataSource.CreateCommand($"""
            SELECT to_regclass('{Name}.sub_watermark') IS NOT NULL AND to_regclass('{Name}.sub_groups') IS NOT NULL
               AND to_regclass('{Name}.sub_dead') IS NOT NULL AND to_regclass('{Name}.sub_consumers') IS NOT NULL
               AND to_regclass('{Name}.sub_pending_ranges_group') IS NOT NULL AND to_regclass('{Name}.sub_pending') IS NULL
               AND (SELECT count(*) FROM pg_attribute WHERE attrelid = to_regclass('{Name}.sub_messages')
                    AND attname IN ('written_at', 'kinds', 'rare') AND NOT attisdropped) = 3
               AND EXISTS (SELECT FROM {Name}.sub_watermark WHERE id = 1)
            """);
        // The last conjunct names a table that may not exist: then the statement fails to parse, which means missing.
        try { if (!(bool)(await probe.ExecuteScalarAsync(ct))!) return false; }
        catch (PostgresException e) when (e.SqlState == PostgresErrorCodes.UndefinedTable) { return false; }
        return await Schema.Lz4Compression.InPlaceAsync(dataSource, $"{Name}.sub_messages", CompressedColumns, ct);
    }

    async Task CreateTablesAsync(CancellationToken ct)
    {
        var s = Name;
        await using var connection = await dataSource.OpenConnectionAsync(ct);
        await using var tx = await connection.BeginTransactionAsync(ct);
        await using (var cmd = new NpgsqlCommand($"""
            SELECT pg_advisory_xact_lock({CreateLockKey});
            CREATE SCHEMA IF NOT EXISTS {s};
            CREATE TABLE IF NOT EXISTS {s}.sub_messages (
                seq_id bigint PRIMARY KEY, last_sequence bigint NOT NULL, body bytea NOT NULL);
            CREATE TABLE IF NOT EXISTS {s}.sub_watermark (id int PRIMARY KEY, written_up_to bigint NOT NULL);
            INSERT INTO {s}.sub_watermark VALUES (1, 0) ON CONFLICT DO NOTHING;
            CREATE TABLE IF NOT EXISTS {s}.sub_groups (
                name text PRIMARY KEY, boards text[] NOT NULL, kinds text[] NOT NULL,
                ack_timeout_seconds int NOT NULL, max_deliveries int NOT NULL,
                webhook_url text NULL, webhook_secret text NULL,
                cursor bigint NOT NULL, min_sequence bigint NOT NULL, position bigint NOT NULL,
                created_at timestamptz NOT NULL DEFAULT now());
            CREATE TABLE IF NOT EXISTS {s}.sub_dead (
                group_name text NOT NULL, id text NOT NULL, ord bigint NOT NULL, sequence bigint NOT NULL,
                board_id text NOT NULL, kind text NOT NULL, data text NOT NULL, delivery_count int NOT NULL,
                dead_at timestamptz NOT NULL DEFAULT now(), PRIMARY KEY (group_name, id));
            CREATE TABLE IF NOT EXISTS {s}.sub_consumers (
                group_name text NOT NULL, name text NOT NULL, last_seen timestamptz NOT NULL, PRIMARY KEY (group_name, name));
            {RangesSql(s)}
            {KindsSql(s)}
            {CompressionSql(s)}
            """, connection, tx))
        {
            await cmd.ExecuteNonQueryAsync(ct);
        }
        await tx.CommitAsync(ct);
    }

    /// <summary>
    /// What <c>migrations/0004_subscription_ranges.sql</c> does (keep the two in step): pending
    /// entries as ranges, converting the per-message <c>sub_pending</c> of older versions (each
    /// entry becomes a one-message range, nothing is lost), and the time a messages row was written,
    /// which retention needs.
    /// </summary>
    static string RangesSql(string s) => $"""
        ALTER TABLE {s}.sub_messages ADD COLUMN IF NOT EXISTS written_at timestamptz NOT NULL DEFAULT now();
        CREATE TABLE IF NOT EXISTS {s}.sub_pending_ranges (
            range_id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
            group_name text NOT NULL, board_id text NOT NULL, first_ord bigint NOT NULL, last_ord bigint NOT NULL,
            ords bigint[] NOT NULL, ids text[] NOT NULL,
            consumer text NULL, delivery_count int NOT NULL, deadline timestamptz NULL);
        CREATE INDEX IF NOT EXISTS sub_pending_ranges_group ON {s}.sub_pending_ranges (group_name, first_ord);
        DO $convert$ BEGIN
            IF to_regclass('{s}.sub_pending') IS NOT NULL THEN
                INSERT INTO {s}.sub_pending_ranges (group_name, board_id, first_ord, last_ord, ords, ids, consumer, delivery_count, deadline)
                    SELECT group_name, board_id, ord, ord, ARRAY[ord], ARRAY[id], consumer, delivery_count, deadline FROM {s}.sub_pending;
                DROP TABLE {s}.sub_pending;
            END IF;
        END $convert$;
        """;

    /// <summary>
    /// What <c>migrations/0005_subscription_kinds.sql</c> does (keep the two in step): per messages
    /// row the mask of the kinds it holds (<see cref="MessageKinds.Bit"/>), all bits for rows written
    /// before, which every group then reads as before; and its rare messages alone
    /// (<see cref="MessageKinds.FrequentMask"/>; null where the body serves as is).
    /// </summary>
    static string KindsSql(string s) => $"""
        ALTER TABLE {s}.sub_messages ADD COLUMN IF NOT EXISTS kinds int NOT NULL DEFAULT {MessageKinds.AnyMask};
        ALTER TABLE {s}.sub_messages ADD COLUMN IF NOT EXISTS rare bytea NULL;
        """;

    /// <summary>
    /// What <c>migrations/0007_subscription_messages_lz4.sql</c> does (keep the two in step): the
    /// message blobs compress with lz4 instead of PostgreSQL's default pglz. A batch of 1,000 scores
    /// makes a ~217 KB body that TOAST compresses to ~77 KB; with pglz that compression alone took
    /// about an eighth of both cores during batch ingest on a 10M-player board, and lz4 made batch
    /// ingest ~10% faster (docs/load-testing.md). See <see cref="Schema.Lz4Compression"/>.
    /// </summary>
    static string CompressionSql(string s) => Schema.Lz4Compression.SetSql($"{s}.sub_messages", CompressedColumns);

    static readonly string[] CompressedColumns = ["body", "rare"];
}
