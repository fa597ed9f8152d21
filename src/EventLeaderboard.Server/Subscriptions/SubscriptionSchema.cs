using EventLeaderboard.Server.Configuration;
using Microsoft.Extensions.Options;
using Npgsql;

namespace EventLeaderboard.Server.Subscriptions;

/// <summary>
/// The subscription tables, created idempotently on first use (the migrations issue can turn this
/// script into a migration as is). All live in the event store's schema.
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
public sealed class SubscriptionSchema(NpgsqlDataSource dataSource, IOptions<StorageOptions> storage)
{
    /// <summary>Serializes concurrent creation by several nodes ("LBSUBS" in ASCII).</summary>
    const long CreateLockKey = 0x4C4253554253;

    readonly Lock _gate = new();
    long? _initialWatermark;

    public string Name { get; } = storage.Value.Schema;

    /// <summary>
    /// Creates the tables if needed and returns the watermark found at start-up (blocking, once).
    /// A failure is not remembered (unlike <see cref="Lazy{T}"/>): the next caller tries again.
    /// </summary>
    public long EnsureCreated()
    {
        if (_initialWatermark is { } known) return known;
        lock (_gate)
        {
            _initialWatermark ??= Create(dataSource, Name);
            return _initialWatermark.Value;
        }
    }

    static long Create(NpgsqlDataSource dataSource, string s)
    {
        using var connection = dataSource.OpenConnection();
        using var tx = connection.BeginTransaction();
        using (var cmd = new NpgsqlCommand($"""
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
            """, connection, tx))
        {
            cmd.ExecuteNonQuery();
        }
        long watermark;
        using (var read = new NpgsqlCommand($"SELECT written_up_to FROM {s}.sub_watermark WHERE id = 1", connection, tx))
            watermark = (long)read.ExecuteScalar()!;
        tx.Commit();
        return watermark;
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
}
