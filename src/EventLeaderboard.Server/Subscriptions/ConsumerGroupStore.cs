using System.Collections.Concurrent;
using Npgsql;
using NpgsqlTypes;

namespace EventLeaderboard.Server.Subscriptions;

/// <summary>
/// Consumer groups in PostgreSQL: definitions, cursors, pending entries, dead letters. Every
/// operation is one transaction of set-based statements (one statement per batch, never one per
/// message), so a batch of 1000 costs a handful of round trips.
/// </summary>
/// <remarks>
/// <para>Reading takes the group's row lock (<c>FOR UPDATE</c>): reads of one group are serialized
/// across all nodes, which is what keeps hand-outs and per-board order exact without any
/// coordinator. Different groups never contend.</para>
/// <para>Per-board order: all pending entries of one board belong to one consumer (the holder). A
/// read first (1) dead-letters expired entries that used their <c>maxDeliveries</c>, (2) takes
/// over every board that has an expired entry or has nothing in flight (only queued entries), (3)
/// delivers its own queued entries in order, then (4) takes new messages from the log past the
/// cursor: a message of a board held by another consumer is queued for that holder, any other
/// becomes this reader's. The cursor only moves forward and never past the writer's watermark.</para>
/// <para>Reads and acks commit with <c>synchronous_commit = off</c>: a crash can lose only the
/// last few milliseconds of them, and losing a read (cursor and pending rows roll back together)
/// or an ack means a redelivery, which at-least-once allows. Definitions commit normally.</para>
/// </remarks>
public sealed class ConsumerGroupStore(NpgsqlDataSource dataSource, SubscriptionSchema schema)
{
    readonly string s = schema.Name;
    readonly ConcurrentDictionary<long, LogMessage[]> _decoded = new();
    TaskCompletionSource _changed = NewSignal();

    /// <summary>Completes after the next ack, redelivery or reset on this node (pending entries may have been freed).</summary>
    public Task Changed => Volatile.Read(ref _changed).Task;

    void SignalChanged() => Interlocked.Exchange(ref _changed, NewSignal()).TrySetResult();

    static TaskCompletionSource NewSignal() => new(TaskCreationOptions.RunContinuationsAsynchronously);

    // ------------------------------------------------------------------ definitions

    /// <summary>Creates the group (true) or updates its settings (false); the start only applies on creation.</summary>
    public async Task<bool> DefineAsync(GroupDefinition d, GroupStart start, CancellationToken ct)
    {
        schema.EnsureCreated();
        await using var cmd = dataSource.CreateCommand($"""
            INSERT INTO {s}.sub_groups (name, boards, kinds, ack_timeout_seconds, max_deliveries, webhook_url, webhook_secret, cursor, min_sequence, position)
            VALUES (@n, @b, @k, @t, @m, @u, @sec, @cur, @min, @pos)
            ON CONFLICT (name) DO UPDATE SET boards = excluded.boards, kinds = excluded.kinds,
                ack_timeout_seconds = excluded.ack_timeout_seconds, max_deliveries = excluded.max_deliveries,
                webhook_url = excluded.webhook_url, webhook_secret = excluded.webhook_secret
            RETURNING (xmax = 0)
            """);
        cmd.Parameters.AddWithValue("n", d.Name);
        cmd.Parameters.AddWithValue("b", d.Boards);
        cmd.Parameters.AddWithValue("k", d.Kinds);
        cmd.Parameters.AddWithValue("t", d.AckTimeoutSeconds);
        cmd.Parameters.AddWithValue("m", d.MaxDeliveries);
        cmd.Parameters.AddWithValue("u", (object?)d.WebhookUrl ?? DBNull.Value);
        cmd.Parameters.AddWithValue("sec", (object?)d.WebhookSecret ?? DBNull.Value);
        cmd.Parameters.AddWithValue("cur", start.Cursor);
        cmd.Parameters.AddWithValue("min", start.MinSequence);
        cmd.Parameters.AddWithValue("pos", start.Position);
        var created = (bool)(await cmd.ExecuteScalarAsync(ct))!;
        SignalChanged();
        return created;
    }

    public async Task<GroupDefinition?> GetAsync(string group, CancellationToken ct)
    {
        schema.EnsureCreated();
        await using var cmd = dataSource.CreateCommand(
            $"SELECT name, boards, kinds, ack_timeout_seconds, max_deliveries, webhook_url, webhook_secret FROM {s}.sub_groups WHERE name = @n");
        cmd.Parameters.AddWithValue("n", group);
        await using var reader = await cmd.ExecuteReaderAsync(ct);
        return await reader.ReadAsync(ct) ? ReadDefinition(reader) : null;
    }

    public async Task<IReadOnlyList<GroupDefinition>> ListWebhookGroupsAsync(CancellationToken ct)
    {
        schema.EnsureCreated();
        await using var cmd = dataSource.CreateCommand(
            $"SELECT name, boards, kinds, ack_timeout_seconds, max_deliveries, webhook_url, webhook_secret FROM {s}.sub_groups WHERE webhook_url IS NOT NULL");
        await using var reader = await cmd.ExecuteReaderAsync(ct);
        var groups = new List<GroupDefinition>();
        while (await reader.ReadAsync(ct)) groups.Add(ReadDefinition(reader));
        return groups;
    }

    static GroupDefinition ReadDefinition(NpgsqlDataReader r) => new(
        r.GetString(0), r.GetFieldValue<string[]>(1), r.GetFieldValue<string[]>(2), r.GetInt32(3), r.GetInt32(4),
        r.IsDBNull(5) ? null : r.GetString(5), r.IsDBNull(6) ? null : r.GetString(6));

    /// <summary>Deletes the group with its pending entries, dead letters and consumers; false when unknown.</summary>
    public async Task<bool> DeleteAsync(string group, CancellationToken ct)
    {
        schema.EnsureCreated();
        await using var cmd = dataSource.CreateCommand($"""
            WITH p AS (DELETE FROM {s}.sub_pending WHERE group_name = @n),
                 d AS (DELETE FROM {s}.sub_dead WHERE group_name = @n),
                 c AS (DELETE FROM {s}.sub_consumers WHERE group_name = @n)
            DELETE FROM {s}.sub_groups WHERE name = @n
            """);
        cmd.Parameters.AddWithValue("n", group);
        return await cmd.ExecuteNonQueryAsync(ct) == 1;
    }

    /// <summary>Moves the cursor; pending entries are discarded (dead letters stay). False when unknown.</summary>
    public async Task<bool> ResetAsync(string group, GroupStart start, CancellationToken ct)
    {
        schema.EnsureCreated();
        await using var connection = await dataSource.OpenConnectionAsync(ct);
        await using var tx = await connection.BeginTransactionAsync(ct);
        await using (var cmd = new NpgsqlCommand(
            $"UPDATE {s}.sub_groups SET cursor = @cur, min_sequence = @min, position = @pos WHERE name = @n", connection, tx))
        {
            cmd.Parameters.AddWithValue("n", group);
            cmd.Parameters.AddWithValue("cur", start.Cursor);
            cmd.Parameters.AddWithValue("min", start.MinSequence);
            cmd.Parameters.AddWithValue("pos", start.Position);
            if (await cmd.ExecuteNonQueryAsync(ct) == 0) return false;
        }
        await using (var clear = new NpgsqlCommand($"DELETE FROM {s}.sub_pending WHERE group_name = @n", connection, tx))
        {
            clear.Parameters.AddWithValue("n", group);
            await clear.ExecuteNonQueryAsync(ct);
        }
        await tx.CommitAsync(ct);
        SignalChanged();
        return true;
    }

    // ------------------------------------------------------------------ reading and acknowledging

    /// <summary>
    /// Hands up to <paramref name="count"/> messages to <paramref name="consumer"/> (none when nothing
    /// is available; the caller waits and retries). Null when the group does not exist.
    /// </summary>
    public async Task<List<DeliveredMessage>?> ReadAsync(string group, string consumer, int count, CancellationToken ct)
    {
        schema.EnsureCreated();
        await using var connection = await dataSource.OpenConnectionAsync(ct);
        await using var tx = await connection.BeginTransactionAsync(ct);

        // Round trip 1: lock the group, (1) dead letters, (2) take-overs, (3) this consumer's queued
        // entries, oldest first, and the board holders. The statements take the group's settings
        // from its row, so they do nothing for an unknown group.
        GroupDefinition definition;
        long cursor, minSequence, position, watermark;
        var delivered = new List<DeliveredMessage>(count);
        var holders = new Dictionary<string, string>(StringComparer.Ordinal);
        await using (var first = new NpgsqlCommand($"""
            SET LOCAL synchronous_commit = off;
            SELECT name, boards, kinds, ack_timeout_seconds, max_deliveries, webhook_url, webhook_secret,
                   cursor, min_sequence, position, (SELECT written_up_to FROM {s}.sub_watermark WHERE id = 1)
            FROM {s}.sub_groups WHERE name = @g FOR UPDATE;
            INSERT INTO {s}.sub_consumers (group_name, name, last_seen) SELECT @g, @c, now() WHERE EXISTS (SELECT FROM {s}.sub_groups WHERE name = @g)
                ON CONFLICT (group_name, name) DO UPDATE SET last_seen = now();
            WITH dead AS (
                DELETE FROM {s}.sub_pending WHERE group_name = @g AND deadline < now()
                    AND delivery_count >= (SELECT max_deliveries FROM {s}.sub_groups WHERE name = @g)
                RETURNING id, ord, sequence, board_id, kind, data, delivery_count)
            INSERT INTO {s}.sub_dead (group_name, id, ord, sequence, board_id, kind, data, delivery_count)
                SELECT @g, id, ord, sequence, board_id, kind, data, delivery_count FROM dead ON CONFLICT DO NOTHING;
            UPDATE {s}.sub_pending SET consumer = @c, deadline = NULL
            WHERE group_name = @g AND (consumer IS DISTINCT FROM @c OR deadline IS NOT NULL) AND board_id IN (
                SELECT board_id FROM {s}.sub_pending WHERE group_name = @g GROUP BY board_id
                HAVING bool_or(deadline < now()) OR bool_and(deadline IS NULL));
            UPDATE {s}.sub_pending SET delivery_count = delivery_count + 1,
                deadline = now() + make_interval(secs => (SELECT ack_timeout_seconds FROM {s}.sub_groups WHERE name = @g))
            WHERE group_name = @g AND id IN (
                SELECT id FROM {s}.sub_pending WHERE group_name = @g AND consumer = @c AND deadline IS NULL ORDER BY ord LIMIT @k)
            RETURNING id, ord, sequence, kind, board_id, delivery_count, data;
            SELECT DISTINCT board_id, consumer FROM {s}.sub_pending WHERE group_name = @g AND consumer IS NOT NULL;
            """, connection, tx))
        {
            first.Parameters.AddWithValue("g", group);
            first.Parameters.AddWithValue("c", consumer);
            first.Parameters.AddWithValue("k", count);
            await using var reader = await first.ExecuteReaderAsync(ct);
            if (!await reader.ReadAsync(ct)) return null;
            definition = ReadDefinition(reader);
            cursor = reader.GetInt64(7);
            minSequence = reader.GetInt64(8);
            position = reader.GetInt64(9);
            watermark = reader.GetInt64(10);
            await reader.NextResultAsync(ct);
            while (await reader.ReadAsync(ct))
                delivered.Add(new DeliveredMessage(reader.GetString(0), reader.GetInt64(1), reader.GetInt64(2), reader.GetString(3),
                    reader.GetString(4), reader.GetInt32(5), reader.GetString(6)));
            await reader.NextResultAsync(ct);
            while (await reader.ReadAsync(ct)) holders[reader.GetString(0)] = reader.GetString(1);
        }
        delivered.Sort((a, b) => a.Ordinal.CompareTo(b.Ordinal));

        // (4) new messages from the log: round trips 2.. read the messages table (usually one).
        var endCursor = (watermark + 1) * LogMessage.PerEvent;
        var taken = new List<(LogMessage Message, string Holder)>();
        var moved = false;
        if (delivered.Count < count && cursor < endCursor)
        {
            var boards = definition.AllBoards ? null : new HashSet<string>(definition.Boards, StringComparer.Ordinal);
            var kinds = new HashSet<string>(definition.Kinds, StringComparer.Ordinal);
            var budget = Math.Max(20_000, 20 * count);
            var wanted = count - delivered.Count;
            var mine = 0;
            var scanned = 0;
            var exhausted = false;
            while (mine < wanted && scanned < budget && !exhausted)
            {
                var rows = await LoadRowsAsync(connection, tx, LogMessage.SeqIdOf(cursor), watermark, 16, ct);
                if (rows.Count < 16) exhausted = true;
                foreach (var messages in rows)
                {
                    foreach (var message in messages)
                    {
                        if (message.Ordinal < cursor) continue;
                        if (mine >= wanted || scanned >= budget) break;
                        scanned++;
                        cursor = message.Ordinal + 1;
                        position = Math.Max(position, message.Sequence);
                        if (message.Sequence < minSequence || !definition.Accepts(message, boards, kinds)) continue;
                        if (!holders.TryGetValue(message.BoardId, out var holder)) holders[message.BoardId] = holder = consumer;
                        taken.Add((message, holder));
                        if (holder == consumer) mine++;
                    }
                    if (mine >= wanted || scanned >= budget) { exhausted = false; break; }
                    // The whole row was taken: the cursor moves to the next event even when its last messages were filtered out.
                    cursor = (LogMessage.SeqIdOf(messages[0].Ordinal) + 1) * LogMessage.PerEvent;
                }
                if (rows.Count == 0) exhausted = true;
            }
            if (exhausted && mine < wanted && scanned < budget)
            {
                cursor = Math.Max(cursor, endCursor);
                position = Math.Max(position, Ingest.LogPosition.EndOf(watermark));
            }
            foreach (var (message, holder) in taken)
                if (holder == consumer) delivered.Add(DeliveredMessage.From(message, 1));
            moved = true;
        }

        // Last round trips: the new pending entries and the cursor, then the commit.
        if (moved) await InsertTakenAsync(connection, tx, group, consumer, definition.AckTimeoutSeconds, taken, cursor, position, ct);
        await tx.CommitAsync(ct);
        return delivered;
    }

    /// <summary>Rows of the messages table from <paramref name="fromSeqId"/> up to the watermark, decoded (immutable rows are cached).</summary>
    async Task<List<LogMessage[]>> LoadRowsAsync(NpgsqlConnection connection, NpgsqlTransaction? tx, long fromSeqId, long watermark, int limit, CancellationToken ct)
    {
        var rows = new List<LogMessage[]>(limit);
        await using var cmd = new NpgsqlCommand($"""
            SELECT seq_id, CASE WHEN seq_id = ANY(@cached) THEN NULL ELSE body END FROM {s}.sub_messages
            WHERE seq_id >= @from AND seq_id <= @wm ORDER BY seq_id LIMIT @limit
            """, connection, tx);
        cmd.Parameters.AddWithValue("cached", CachedSeqIds(fromSeqId));
        cmd.Parameters.AddWithValue("from", fromSeqId);
        cmd.Parameters.AddWithValue("wm", watermark);
        cmd.Parameters.AddWithValue("limit", limit);
        await using var reader = await cmd.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct))
        {
            var seqId = reader.GetInt64(0);
            if (reader.IsDBNull(1) && _decoded.TryGetValue(seqId, out var cached))
            {
                rows.Add(cached);
                continue;
            }
            var body = reader.IsDBNull(1) ? await ReloadAsync(seqId, ct) : reader.GetFieldValue<byte[]>(1);
            var messages = MessageBlob.Decode(seqId, body);
            Remember(seqId, messages);
            rows.Add(messages);
        }
        return rows;
    }

    /// <summary>Reads the messages of log events from <paramref name="fromSeqId"/> (inclusive) up to the watermark, at most <paramref name="limit"/> rows.</summary>
    public async Task<List<LogMessage[]>> LoadRowsAsync(long fromSeqId, long upToSeqId, int limit, CancellationToken ct)
    {
        schema.EnsureCreated();
        await using var connection = await dataSource.OpenConnectionAsync(ct);
        return await LoadRowsAsync(connection, null, fromSeqId, upToSeqId, limit, ct);
    }

    async Task<byte[]> ReloadAsync(long seqId, CancellationToken ct)
    {
        // The cache entry was evicted between building the query and reading the row.
        await using var cmd = dataSource.CreateCommand($"SELECT body FROM {s}.sub_messages WHERE seq_id = @id");
        cmd.Parameters.AddWithValue("id", seqId);
        return (byte[])(await cmd.ExecuteScalarAsync(ct))!;
    }

    long[] CachedSeqIds(long fromSeqId) => _decoded.Keys.Where(k => k >= fromSeqId).ToArray();

    void Remember(long seqId, LogMessage[] messages)
    {
        // A small cache: consumers of a backlog read the same large rows several times (a read stops
        // mid-row), and rows never change. Crude eviction is enough for that.
        if (_decoded.Count >= 64) _decoded.Clear();
        _decoded[seqId] = messages;
    }

    /// <summary>Inserts the taken messages (delivered to the reader, or queued for their board's holder) and moves the cursor, in one round trip.</summary>
    async Task InsertTakenAsync(NpgsqlConnection connection, NpgsqlTransaction tx, string group, string consumer, int ackTimeoutSeconds,
        List<(LogMessage Message, string Holder)> taken, long cursor, long position, CancellationToken ct)
    {
        var n = taken.Count;
        var ids = new string[n];
        var ords = new long[n];
        var sequences = new long[n];
        var boards = new string[n];
        var kinds = new string[n];
        var data = new string[n];
        var holders = new string[n];
        var delivered = new bool[n];
        for (var i = 0; i < n; i++)
        {
            var (m, holder) = taken[i];
            ids[i] = m.Id;
            ords[i] = m.Ordinal;
            sequences[i] = m.Sequence;
            boards[i] = m.BoardId;
            kinds[i] = m.KindName;
            data[i] = m.DataText;
            holders[i] = holder;
            delivered[i] = holder == consumer;
        }
        await using var cmd = new NpgsqlCommand($"""
            INSERT INTO {s}.sub_pending (group_name, id, ord, sequence, board_id, kind, data, consumer, delivery_count, deadline)
            SELECT @g, id, ord, seq, board, kind, data, holder,
                   CASE WHEN mine THEN 1 ELSE 0 END,
                   CASE WHEN mine THEN now() + make_interval(secs => @t) ELSE NULL END
            FROM unnest(@ids, @ords, @seqs, @boards, @kinds, @data, @holders, @mine) AS u(id, ord, seq, board, kind, data, holder, mine)
            ON CONFLICT DO NOTHING;
            UPDATE {s}.sub_groups SET cursor = @cur, position = @pos WHERE name = @g;
            """, connection, tx);
        cmd.Parameters.AddWithValue("g", group);
        cmd.Parameters.AddWithValue("cur", cursor);
        cmd.Parameters.AddWithValue("pos", position);
        cmd.Parameters.AddWithValue("t", (double)ackTimeoutSeconds);
        cmd.Parameters.AddWithValue("ids", ids);
        cmd.Parameters.AddWithValue("ords", ords);
        cmd.Parameters.AddWithValue("seqs", sequences);
        cmd.Parameters.AddWithValue("boards", boards);
        cmd.Parameters.AddWithValue("kinds", kinds);
        cmd.Parameters.AddWithValue("data", data);
        cmd.Parameters.AddWithValue("holders", holders);
        cmd.Parameters.AddWithValue("mine", delivered);
        await cmd.ExecuteNonQueryAsync(ct);
    }

    /// <summary>Acknowledges delivered messages; returns how many were pending (null: unknown group).</summary>
    public async Task<int?> AckAsync(string group, string[] ids, CancellationToken ct)
    {
        schema.EnsureCreated();
        // One statement, one round trip; set_config(..., true) applies to this statement's own transaction.
        await using var connection = await dataSource.OpenConnectionAsync(ct);
        await using var cmd = new NpgsqlCommand($"""
            WITH relaxed AS (SELECT set_config('synchronous_commit', 'off', true)),
                 acked AS (DELETE FROM {s}.sub_pending WHERE group_name = @g AND id = ANY(@ids) AND deadline IS NOT NULL RETURNING 1)
            SELECT (SELECT count(*) FROM {s}.sub_groups WHERE name = @g), (SELECT count(*) FROM acked)::int, (SELECT count(*) FROM relaxed);
            """, connection);
        cmd.Parameters.AddWithValue("g", group);
        cmd.Parameters.AddWithValue("ids", ids);
        long exists;
        int deleted;
        await using (var reader = await cmd.ExecuteReaderAsync(ct))
        {
            await reader.ReadAsync(ct);
            exists = reader.GetInt64(0);
            deleted = reader.GetInt32(1);
        }
        if (exists == 0) return null;
        if (deleted > 0) SignalChanged();
        return deleted;
    }

    /// <summary>
    /// A failed delivery attempt by the service itself (webhooks): counts it and extends the deadline.
    /// Returns the new delivery count, or null when the entry is no longer in flight (acked, taken over).
    /// </summary>
    public async Task<int?> CountRetryAsync(string group, string id, int ackTimeoutSeconds, CancellationToken ct)
    {
        await using var cmd = dataSource.CreateCommand($"""
            UPDATE {s}.sub_pending SET delivery_count = delivery_count + 1, deadline = now() + make_interval(secs => @t)
            WHERE group_name = @g AND id = @id AND deadline IS NOT NULL RETURNING delivery_count
            """);
        cmd.Parameters.AddWithValue("g", group);
        cmd.Parameters.AddWithValue("id", id);
        cmd.Parameters.AddWithValue("t", (double)ackTimeoutSeconds);
        return await cmd.ExecuteScalarAsync(ct) is int count ? count : null;
    }

    /// <summary>Moves one in-flight entry to the dead letters now (its deliveries are used up).</summary>
    public async Task DeadLetterAsync(string group, string id, CancellationToken ct)
    {
        await using var cmd = dataSource.CreateCommand($"""
            WITH dead AS (
                DELETE FROM {s}.sub_pending WHERE group_name = @g AND id = @id
                RETURNING id, ord, sequence, board_id, kind, data, delivery_count)
            INSERT INTO {s}.sub_dead (group_name, id, ord, sequence, board_id, kind, data, delivery_count)
                SELECT @g, id, ord, sequence, board_id, kind, data, delivery_count FROM dead ON CONFLICT DO NOTHING
            """);
        cmd.Parameters.AddWithValue("g", group);
        cmd.Parameters.AddWithValue("id", id);
        await cmd.ExecuteNonQueryAsync(ct);
        SignalChanged();
    }

    // ------------------------------------------------------------------ dead letters and status

    /// <summary>Dead letters in log order (null: unknown group).</summary>
    public async Task<List<DeliveredMessage>?> DeadLettersAsync(string group, int limit, CancellationToken ct)
    {
        if (await GetAsync(group, ct) is null) return null;
        await using var cmd = dataSource.CreateCommand($"""
            SELECT id, ord, sequence, kind, board_id, delivery_count, data FROM {s}.sub_dead
            WHERE group_name = @g ORDER BY ord LIMIT @limit
            """);
        cmd.Parameters.AddWithValue("g", group);
        cmd.Parameters.AddWithValue("limit", limit);
        var list = new List<DeliveredMessage>();
        await using var reader = await cmd.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct))
            list.Add(new DeliveredMessage(reader.GetString(0), reader.GetInt64(1), reader.GetInt64(2), reader.GetString(3),
                reader.GetString(4), reader.GetInt32(5), reader.GetString(6)));
        return list;
    }

    /// <summary>
    /// Puts every dead letter back as pending, due at once, with a fresh delivery count; the next
    /// read of any consumer takes its board over. Returns how many (null: unknown group).
    /// </summary>
    public async Task<int?> RedeliverDeadLettersAsync(string group, CancellationToken ct)
    {
        if (await GetAsync(group, ct) is null) return null;
        await using var cmd = dataSource.CreateCommand($"""
            WITH back AS (DELETE FROM {s}.sub_dead WHERE group_name = @g RETURNING id, ord, sequence, board_id, kind, data)
            INSERT INTO {s}.sub_pending (group_name, id, ord, sequence, board_id, kind, data, consumer, delivery_count, deadline)
                SELECT @g, id, ord, sequence, board_id, kind, data, NULL, 0, '-infinity' FROM back ON CONFLICT DO NOTHING
            """);
        cmd.Parameters.AddWithValue("g", group);
        var count = await cmd.ExecuteNonQueryAsync(ct);
        SignalChanged();
        return count;
    }

    public async Task<GroupStatus?> StatusAsync(string group, CancellationToken ct)
    {
        schema.EnsureCreated();
        await using var connection = await dataSource.OpenConnectionAsync(ct);
        await using var cmd = new NpgsqlCommand($"""
            SELECT g.position, g.cursor, w.written_up_to,
                   coalesce((SELECT last_sequence FROM {s}.sub_messages WHERE seq_id <= w.written_up_to ORDER BY seq_id DESC LIMIT 1), 0),
                   (SELECT count(*) FROM {s}.sub_messages WHERE seq_id >= g.cursor / {LogMessage.PerEvent} AND seq_id <= w.written_up_to),
                   (SELECT count(*) FROM {s}.sub_pending WHERE group_name = @g),
                   (SELECT count(*) FROM {s}.sub_dead WHERE group_name = @g)
            FROM {s}.sub_groups g, {s}.sub_watermark w WHERE g.name = @g AND w.id = 1;
            SELECT c.name, count(p.id), (extract(epoch FROM now() - c.last_seen) * 1000)::bigint
            FROM {s}.sub_consumers c LEFT JOIN {s}.sub_pending p ON p.group_name = c.group_name AND p.consumer = c.name
            WHERE c.group_name = @g GROUP BY c.name, c.last_seen ORDER BY c.name;
            """, connection);
        cmd.Parameters.AddWithValue("g", group);
        await using var reader = await cmd.ExecuteReaderAsync(ct);
        if (!await reader.ReadAsync(ct)) return null;
        var position = reader.GetInt64(0);
        var head = Math.Max(reader.GetInt64(3), position);
        var lag = reader.GetInt64(4);
        var pending = reader.GetInt64(5);
        var dead = reader.GetInt64(6);
        await reader.NextResultAsync(ct);
        var consumers = new List<ConsumerState>();
        while (await reader.ReadAsync(ct)) consumers.Add(new ConsumerState(reader.GetString(0), reader.GetInt64(1), reader.GetInt64(2)));
        return new GroupStatus(group, position, head, lag, pending, consumers, dead);
    }
}
