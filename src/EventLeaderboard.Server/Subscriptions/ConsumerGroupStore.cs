using System.Collections.Concurrent;
using System.Diagnostics;
using Npgsql;

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
/// <para>Pending entries are ranges (<see cref="PendingRange"/>): the messages of one board taken
/// by one read share a row, a holder, a delivery count and a deadline. Per-board order: all
/// pending ranges of one board belong to one consumer (the holder). A read first (1) dead-letters
/// expired ranges that used their <c>maxDeliveries</c>, (2) takes over every board that has an
/// expired range or has nothing in flight (only queued ranges), (3) delivers its own queued
/// ranges in order (splitting the last one when the count ends inside it), then (4) takes new
/// messages from the log past the cursor: a board held by another consumer gets a queued range
/// for that holder, any other board a range delivered to this reader. The cursor only moves
/// forward and never past the writer's watermark. An ack removes ids from their ranges (a range
/// left empty is deleted); a message's data is never copied: ranges hold ordinals and ids, and
/// the messages are read back from the immutable <c>sub_messages</c> rows (cached).</para>
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
        await schema.EnsureCreatedAsync(ct);
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
        await schema.EnsureCreatedAsync(ct);
        await using var cmd = dataSource.CreateCommand(
            $"SELECT name, boards, kinds, ack_timeout_seconds, max_deliveries, webhook_url, webhook_secret FROM {s}.sub_groups WHERE name = @n");
        cmd.Parameters.AddWithValue("n", group);
        await using var reader = await cmd.ExecuteReaderAsync(ct);
        return await reader.ReadAsync(ct) ? ReadDefinition(reader) : null;
    }

    public async Task<IReadOnlyList<GroupDefinition>> ListWebhookGroupsAsync(CancellationToken ct)
    {
        await schema.EnsureCreatedAsync(ct);
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
        await schema.EnsureCreatedAsync(ct);
        // The group's row lock first, as reads and acks take it, so this cannot deadlock with them.
        await using var cmd = dataSource.CreateCommand($"""
            SELECT FROM {s}.sub_groups WHERE name = @n FOR UPDATE;
            WITH p AS (DELETE FROM {s}.sub_pending_ranges WHERE group_name = @n),
                 d AS (DELETE FROM {s}.sub_dead WHERE group_name = @n),
                 c AS (DELETE FROM {s}.sub_consumers WHERE group_name = @n)
            DELETE FROM {s}.sub_groups WHERE name = @n RETURNING 1
            """);
        cmd.Parameters.AddWithValue("n", group);
        await using var reader = await cmd.ExecuteReaderAsync(ct);
        await reader.NextResultAsync(ct);
        return await reader.ReadAsync(ct);
    }

    /// <summary>Moves the cursor; pending entries are discarded (dead letters stay). False when unknown.</summary>
    public async Task<bool> ResetAsync(string group, GroupStart start, CancellationToken ct)
    {
        await schema.EnsureCreatedAsync(ct);
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
        await using (var clear = new NpgsqlCommand($"DELETE FROM {s}.sub_pending_ranges WHERE group_name = @n", connection, tx))
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
    /// is available; the caller waits and retries), and what this read covered (see
    /// <see cref="ReadHorizon"/>). Null messages when the group does not exist.
    /// </summary>
    public async Task<(List<DeliveredMessage>? Messages, ReadHorizon Horizon)> ReadAsync(string group, string consumer, int count, CancellationToken ct)
    {
        await schema.EnsureCreatedAsync(ct);
        await using var connection = await dataSource.OpenConnectionAsync(ct);
        await using var tx = await connection.BeginTransactionAsync(ct);

        // Round trip 1: lock the group, (1) dead letters, (2) take-overs, (3) this consumer's queued
        // ranges, oldest first, and the board holders. The statements take the group's settings
        // from its row, so they do nothing for an unknown group.
        GroupDefinition definition;
        long cursor, minSequence, position, watermark;
        var dead = new List<PendingRange>();
        var queued = new List<PendingRange>();
        var holders = new Dictionary<string, string>(StringComparer.Ordinal);
        await using (var first = new NpgsqlCommand($"""
            SET LOCAL synchronous_commit = off;
            SELECT name, boards, kinds, ack_timeout_seconds, max_deliveries, webhook_url, webhook_secret,
                   cursor, min_sequence, position, (SELECT written_up_to FROM {s}.sub_watermark WHERE id = 1)
            FROM {s}.sub_groups WHERE name = @g FOR UPDATE;
            INSERT INTO {s}.sub_consumers (group_name, name, last_seen) SELECT @g, @c, now() WHERE EXISTS (SELECT FROM {s}.sub_groups WHERE name = @g)
                ON CONFLICT (group_name, name) DO UPDATE SET last_seen = now();
            DELETE FROM {s}.sub_pending_ranges WHERE group_name = @g AND deadline < now()
                AND delivery_count >= (SELECT max_deliveries FROM {s}.sub_groups WHERE name = @g)
            RETURNING range_id, board_id, ords, ids, delivery_count;
            UPDATE {s}.sub_pending_ranges SET consumer = @c, deadline = NULL
            WHERE group_name = @g AND (consumer IS DISTINCT FROM @c OR deadline IS NOT NULL) AND board_id IN (
                SELECT board_id FROM {s}.sub_pending_ranges WHERE group_name = @g GROUP BY board_id
                HAVING bool_or(deadline < now()) OR bool_and(deadline IS NULL));
            SELECT range_id, board_id, ords, ids, delivery_count FROM {s}.sub_pending_ranges
            WHERE group_name = @g AND consumer = @c AND deadline IS NULL ORDER BY first_ord LIMIT @k;
            SELECT DISTINCT board_id, consumer FROM {s}.sub_pending_ranges WHERE group_name = @g AND consumer IS NOT NULL;
            """, connection, tx))
        {
            first.Parameters.AddWithValue("g", group);
            first.Parameters.AddWithValue("c", consumer);
            first.Parameters.AddWithValue("k", count);
            await using var reader = await first.ExecuteReaderAsync(ct);
            if (!await reader.ReadAsync(ct)) return (null, ReadHorizon.Unknown);
            definition = ReadDefinition(reader);
            cursor = reader.GetInt64(7);
            minSequence = reader.GetInt64(8);
            position = reader.GetInt64(9);
            watermark = reader.GetInt64(10);
            await reader.NextResultAsync(ct);
            while (await reader.ReadAsync(ct)) dead.Add(PendingRange.Read(reader));
            await reader.NextResultAsync(ct);
            while (await reader.ReadAsync(ct)) queued.Add(PendingRange.Read(reader));
            await reader.NextResultAsync(ct);
            while (await reader.ReadAsync(ct)) holders[reader.GetString(0)] = reader.GetString(1);
        }

        // Everything else goes out in one batch before the commit.
        var batch = new NpgsqlBatch(connection, tx);
        if (dead.Count > 0) await AddDeadLettersAsync(batch, group, dead, ct);

        // (3) this consumer's queued ranges, in order; the last one taken may be split.
        var delivered = new List<DeliveredMessage>(count);
        if (queued.Count > 0)
        {
            var rows = await LoadSeqIdsAsync(connection, tx, queued.SelectMany(r => r.Ords).Select(LogMessage.SeqIdOf), ct);
            var whole = new List<long>();
            foreach (var range in queued)
            {
                var take = Math.Min(range.Ords.Length, count - delivered.Count);
                if (take == 0) break;
                for (var i = 0; i < take; i++) delivered.Add(DeliveredMessage.From(MessageAt(rows, range.Ords[i]), range.DeliveryCount + 1));
                if (take == range.Ords.Length)
                {
                    whole.Add(range.RangeId);
                    continue;
                }
                // Split: the delivered head keeps the row, the rest stays queued as a new range.
                AddCommand(batch, $"""
                    UPDATE {s}.sub_pending_ranges SET ords = ords[1:@n], ids = ids[1:@n], last_ord = ords[@n],
                        delivery_count = delivery_count + 1, deadline = now() + make_interval(secs => @t)
                    WHERE range_id = @r
                    """, ("r", range.RangeId), ("n", take), ("t", (double)definition.AckTimeoutSeconds));
                AddInsertRanges(batch, group, definition.AckTimeoutSeconds,
                    [new NewRange(range.BoardId, range.Ords[take..], range.Ids[take..], consumer, range.DeliveryCount, InFlight: false)]);
            }
            if (whole.Count > 0)
                AddCommand(batch, $"""
                    UPDATE {s}.sub_pending_ranges SET delivery_count = delivery_count + 1, deadline = now() + make_interval(secs => @t)
                    WHERE range_id = ANY(@r)
                    """, ("r", whole.ToArray()), ("t", (double)definition.AckTimeoutSeconds));
        }

        // (4) new messages from the log: round trips 2.. read the messages table (usually one).
        var endCursor = (watermark + 1) * LogMessage.PerEvent;
        if (delivered.Count < count && cursor < endCursor)
        {
            var boards = definition.AllBoards ? null : new HashSet<string>(definition.Boards, StringComparer.Ordinal);
            var kinds = new HashSet<string>(definition.Kinds, StringComparer.Ordinal);
            var kindMask = MessageKinds.MaskOf(definition.Kinds);
            var budget = Math.Max(20_000, 20 * count);
            var wanted = count - delivered.Count;
            var mine = 0;
            var scanned = 0;
            var exhausted = false;
            // Per board, in log order: the board's messages of this read become one range.
            var taken = new Dictionary<string, (string Holder, List<LogMessage> Messages)>(StringComparer.Ordinal);
            while (mine < wanted && scanned < budget && !exhausted)
            {
                var rows = await LoadRowsAsync(connection, tx, LogMessage.SeqIdOf(cursor), watermark, kindMask, 16, ct);
                if (rows.Count < 16) exhausted = true;
                foreach (var (seqId, messages) in rows)
                {
                    foreach (var message in messages)
                    {
                        if (message.Ordinal < cursor) continue;
                        if (mine >= wanted || scanned >= budget) break;
                        scanned++;
                        cursor = message.Ordinal + 1;
                        position = Math.Max(position, message.Sequence);
                        if (message.Sequence < minSequence || !definition.Accepts(message, boards, kinds)) continue;
                        if (!taken.TryGetValue(message.BoardId, out var entry))
                        {
                            if (!holders.TryGetValue(message.BoardId, out var holder)) holders[message.BoardId] = holder = consumer;
                            taken[message.BoardId] = entry = (holder, []);
                        }
                        entry.Messages.Add(message);
                        if (entry.Holder == consumer)
                        {
                            mine++;
                            delivered.Add(DeliveredMessage.From(message, 1));
                        }
                    }
                    if (mine >= wanted || scanned >= budget) { exhausted = false; break; }
                    // The whole row was taken: the cursor moves to the next event even when its last messages were filtered out.
                    cursor = (seqId + 1) * LogMessage.PerEvent;
                }
                if (rows.Count == 0) exhausted = true;
            }
            if (exhausted && mine < wanted && scanned < budget)
            {
                cursor = Math.Max(cursor, endCursor);
                position = Math.Max(position, Ingest.LogPosition.EndOf(watermark));
            }
            AddInsertRanges(batch, group, definition.AckTimeoutSeconds, taken.Select(t => new NewRange(
                t.Key, [.. t.Value.Messages.Select(m => m.Ordinal)], [.. t.Value.Messages.Select(m => m.Id)],
                t.Value.Holder, 0, InFlight: t.Value.Holder == consumer)).ToList());
            AddCommand(batch, $"UPDATE {s}.sub_groups SET cursor = @cur, position = @pos WHERE name = @g",
                ("g", group), ("cur", cursor), ("pos", position));
        }

        if (batch.BatchCommands.Count > 0) await batch.ExecuteNonQueryAsync(ct);
        await tx.CommitAsync(ct);
        delivered.Sort((a, b) => a.Ordinal.CompareTo(b.Ordinal));
        return (delivered, new ReadHorizon(MessageKinds.MaskOf(definition.Kinds), cursor >= endCursor ? watermark : -1));
    }

    /// <summary>A range to insert. <paramref name="InFlight"/>: delivered now (deadline from now); else queued for the holder.</summary>
    /// <param name="DeliveryCount">Deliveries so far; an in-flight range is stored with one more.</param>
    readonly record struct NewRange(string BoardId, long[] Ords, string[] Ids, string Holder, int DeliveryCount, bool InFlight);

    /// <summary>One statement for any number of ranges: the ranges' messages travel as two flat arrays that each row slices.</summary>
    void AddInsertRanges(NpgsqlBatch batch, string group, int ackTimeoutSeconds, List<NewRange> ranges)
    {
        if (ranges.Count == 0) return;
        var n = ranges.Count;
        var boards = new string[n];
        var holders = new string[n];
        var counts = new int[n];
        var inFlight = new bool[n];
        var from = new int[n];
        var to = new int[n];
        var ords = new List<long>();
        var ids = new List<string>();
        for (var i = 0; i < n; i++)
        {
            var r = ranges[i];
            Debug.Assert(r.Ords.Length > 0 && r.Ords.Length == r.Ids.Length, "A range holds at least one message, ids parallel to ords.");
            boards[i] = r.BoardId;
            holders[i] = r.Holder;
            counts[i] = r.DeliveryCount + (r.InFlight ? 1 : 0);
            inFlight[i] = r.InFlight;
            from[i] = ords.Count + 1; // SQL arrays are 1-based
            ords.AddRange(r.Ords);
            ids.AddRange(r.Ids);
            to[i] = ords.Count;
        }
        AddCommand(batch, $"""
            INSERT INTO {s}.sub_pending_ranges (group_name, board_id, first_ord, last_ord, ords, ids, consumer, delivery_count, deadline)
            SELECT @g, r.board, (@ords::bigint[])[r.f], (@ords::bigint[])[r.t], (@ords::bigint[])[r.f:r.t], (@ids::text[])[r.f:r.t],
                   r.holder, r.n, CASE WHEN r.fly THEN now() + make_interval(secs => @secs) END
            FROM unnest(@boards, @holders, @counts, @fly, @from, @to) AS r(board, holder, n, fly, f, t)
            """,
            ("g", group), ("ords", ords.ToArray()), ("ids", ids.ToArray()), ("secs", (double)ackTimeoutSeconds),
            ("boards", boards), ("holders", holders), ("counts", counts), ("fly", inFlight), ("from", from), ("to", to));
    }

    static void AddCommand(NpgsqlBatch batch, string sql, params (string Name, object Value)[] parameters)
    {
        var command = new NpgsqlBatchCommand(sql);
        foreach (var (name, value) in parameters) command.Parameters.AddWithValue(name, value);
        batch.BatchCommands.Add(command);
    }

    /// <summary>Queues the dead-lettering of whole ranges: their messages, with data, into <c>sub_dead</c> (the ranges are already deleted).</summary>
    async Task AddDeadLettersAsync(NpgsqlBatch batch, string group, List<PendingRange> ranges, CancellationToken ct)
    {
        var rows = await LoadSeqIdsAsync(batch.Connection!, batch.Transaction, ranges.SelectMany(r => r.Ords).Select(LogMessage.SeqIdOf), ct);
        var messages = ranges.SelectMany(r => r.Ords.Select(o => (Message: MessageAt(rows, o), r.DeliveryCount))).ToList();
        AddCommand(batch, $"""
            INSERT INTO {s}.sub_dead (group_name, id, ord, sequence, board_id, kind, data, delivery_count)
            SELECT @g, * FROM unnest(@ids, @ords, @seqs, @boards, @kinds, @data, @counts) ON CONFLICT DO NOTHING
            """,
            ("g", group),
            ("ids", messages.Select(m => m.Message.Id).ToArray()),
            ("ords", messages.Select(m => m.Message.Ordinal).ToArray()),
            ("seqs", messages.Select(m => m.Message.Sequence).ToArray()),
            ("boards", messages.Select(m => m.Message.BoardId).ToArray()),
            ("kinds", messages.Select(m => m.Message.KindName).ToArray()),
            ("data", messages.Select(m => m.Message.DataText).ToArray()),
            ("counts", messages.Select(m => m.DeliveryCount).ToArray()));
    }

    static LogMessage MessageAt(Dictionary<long, LogMessage[]> rows, long ordinal)
    {
        var seqId = LogMessage.SeqIdOf(ordinal);
        var index = (int)(ordinal % LogMessage.PerEvent);
        // Retention never deletes a row a pending range points into (see MessageRetention).
        if (!rows.TryGetValue(seqId, out var messages) || index >= messages.Length)
            throw new InvalidDataException($"Pending message {ordinal} has no row in sub_messages (seq_id {seqId}).");
        return messages[index];
    }

    /// <summary>The decoded rows of the given log events (those that exist), from the cache where possible.</summary>
    async Task<Dictionary<long, LogMessage[]>> LoadSeqIdsAsync(NpgsqlConnection connection, NpgsqlTransaction? tx, IEnumerable<long> seqIds, CancellationToken ct)
    {
        var rows = new Dictionary<long, LogMessage[]>();
        var missing = new List<long>();
        foreach (var seqId in seqIds.Distinct())
        {
            if (_decoded.TryGetValue(seqId, out var cached)) rows[seqId] = cached;
            else missing.Add(seqId);
        }
        if (missing.Count == 0) return rows;
        await using var cmd = new NpgsqlCommand($"SELECT seq_id, body FROM {s}.sub_messages WHERE seq_id = ANY(@ids)", connection, tx);
        cmd.Parameters.AddWithValue("ids", missing.ToArray());
        await using var reader = await cmd.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct))
        {
            var seqId = reader.GetInt64(0);
            var messages = MessageBlob.Decode(seqId, reader.GetFieldValue<byte[]>(1));
            Remember(seqId, messages);
            rows[seqId] = messages;
        }
        return rows;
    }

    /// <summary>
    /// Rows of the messages table from <paramref name="fromSeqId"/> up to the watermark that hold a
    /// kind of <paramref name="kindMask"/>, decoded (immutable rows are cached).
    /// </summary>
    /// <remarks>
    /// Rows with none of the kinds are skipped by PostgreSQL on the <c>kinds</c> column, their body
    /// never fetched: passing them is safe because the caller moves its cursor only to a returned
    /// row or, when fewer than <paramref name="limit"/> came back, to the watermark. For kinds that
    /// are all rare the row's <c>rare</c> part is read instead of the body (a version 2 blob, a
    /// subset with its messages' ordinals), so a batch row of thousands of scores costs a few
    /// messages; subsets are not cached (the cache must hold whole rows: <see cref="MessageAt"/>).
    /// </remarks>
    async Task<List<(long SeqId, LogMessage[] Messages)>> LoadRowsAsync(NpgsqlConnection connection, NpgsqlTransaction? tx,
        long fromSeqId, long watermark, int kindMask, int limit, CancellationToken ct)
    {
        var rows = new List<(long, LogMessage[])>(limit);
        var rareOnly = (kindMask & MessageKinds.FrequentMask) == 0;
        await using var cmd = new NpgsqlCommand($"""
            SELECT seq_id, CASE WHEN seq_id = ANY(@cached) THEN NULL ELSE {(rareOnly ? "coalesce(rare, body)" : "body")} END
            FROM {s}.sub_messages
            WHERE seq_id >= @from AND seq_id <= @wm {(kindMask == MessageKinds.AnyMask ? "" : "AND kinds & @mask <> 0")}
            ORDER BY seq_id LIMIT @limit
            """, connection, tx);
        cmd.Parameters.AddWithValue("cached", CachedSeqIds(fromSeqId));
        cmd.Parameters.AddWithValue("from", fromSeqId);
        cmd.Parameters.AddWithValue("wm", watermark);
        cmd.Parameters.AddWithValue("mask", kindMask);
        cmd.Parameters.AddWithValue("limit", limit);
        await using var reader = await cmd.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct))
        {
            var seqId = reader.GetInt64(0);
            if (reader.IsDBNull(1) && _decoded.TryGetValue(seqId, out var cached))
            {
                rows.Add((seqId, cached));
                continue;
            }
            var body = reader.IsDBNull(1) ? await ReloadAsync(seqId, ct) : reader.GetFieldValue<byte[]>(1);
            var messages = MessageBlob.Decode(seqId, body);
            if (MessageBlob.IsComplete(body)) Remember(seqId, messages);
            rows.Add((seqId, messages));
        }
        return rows;
    }

    /// <summary>Reads the messages of log events from <paramref name="fromSeqId"/> (inclusive) up to the watermark, at most <paramref name="limit"/> rows.</summary>
    public async Task<List<LogMessage[]>> LoadRowsAsync(long fromSeqId, long upToSeqId, int limit, CancellationToken ct)
    {
        await schema.EnsureCreatedAsync(ct);
        await using var connection = await dataSource.OpenConnectionAsync(ct);
        var rows = await LoadRowsAsync(connection, null, fromSeqId, upToSeqId, MessageKinds.AnyMask, limit, ct);
        return rows.ConvertAll(r => r.Messages);
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

    /// <summary>
    /// The in-flight ranges that may hold any of <paramref name="ids"/>, locked. Takes the group's
    /// row lock in share mode first: acks and retries never interleave with a read of the group
    /// (which takes it exclusively), so they cannot deadlock with its range updates, and
    /// concurrent acks lock ranges in <c>range_id</c> order. False when the group does not exist.
    /// </summary>
    async Task<(bool Exists, List<PendingRange> Ranges)> LockRangesAsync(NpgsqlConnection connection, NpgsqlTransaction tx, string group,
        IReadOnlyCollection<string> ids, bool inFlightOnly, CancellationToken ct)
    {
        var (min, max) = OrdinalSpan(ids);
        await using var cmd = new NpgsqlCommand($"""
            SET LOCAL synchronous_commit = off;
            SELECT FROM {s}.sub_groups WHERE name = @g FOR SHARE;
            SELECT range_id, board_id, ords, ids, delivery_count FROM {s}.sub_pending_ranges
            WHERE group_name = @g AND first_ord <= @max AND last_ord >= @min {(inFlightOnly ? "AND deadline IS NOT NULL" : "")}
            ORDER BY range_id FOR UPDATE
            """, connection, tx);
        cmd.Parameters.AddWithValue("g", group);
        cmd.Parameters.AddWithValue("min", min);
        cmd.Parameters.AddWithValue("max", max);
        await using var reader = await cmd.ExecuteReaderAsync(ct);
        if (!await reader.ReadAsync(ct)) return (false, []);
        await reader.NextResultAsync(ct);
        var ranges = new List<PendingRange>();
        var wanted = ids as HashSet<string> ?? new HashSet<string>(ids, StringComparer.Ordinal);
        while (await reader.ReadAsync(ct))
        {
            var range = PendingRange.Read(reader);
            if (range.Ids.Any(wanted.Contains)) ranges.Add(range);
        }
        return (true, ranges);
    }

    /// <summary>Queues the removal of <paramref name="remove"/> from the range: deleted when nothing is left, else shrunk. Returns how many it held.</summary>
    int AddRemoval(NpgsqlBatch batch, PendingRange range, IReadOnlySet<string> remove, List<long> emptied)
    {
        var keep = new List<int>(range.Ids.Length);
        for (var i = 0; i < range.Ids.Length; i++)
            if (!remove.Contains(range.Ids[i])) keep.Add(i);
        var removed = range.Ids.Length - keep.Count;
        if (removed == 0) return 0;
        if (keep.Count == 0)
        {
            emptied.Add(range.RangeId);
            return removed;
        }
        var ords = keep.Select(i => range.Ords[i]).ToArray();
        AddCommand(batch, $"""
            UPDATE {s}.sub_pending_ranges SET ords = @o, ids = @i, first_ord = @f, last_ord = @l WHERE range_id = @r
            """, ("r", range.RangeId), ("o", ords), ("i", keep.Select(i => range.Ids[i]).ToArray()), ("f", ords[0]), ("l", ords[^1]));
        return removed;
    }

    void AddDeleteRanges(NpgsqlBatch batch, List<long> rangeIds)
    {
        if (rangeIds.Count > 0) AddCommand(batch, $"DELETE FROM {s}.sub_pending_ranges WHERE range_id = ANY(@r)", ("r", rangeIds.ToArray()));
    }

    /// <summary>Acknowledges delivered messages; returns how many were in flight (null: unknown group).</summary>
    /// <remarks>
    /// One statement, one round trip (an ack of 1000 once took three). The group's row is locked in
    /// share mode before any range (the lock is an init plan of <c>locked</c>'s filter), as in
    /// <see cref="LockRangesAsync"/>; <c>FOR UPDATE</c> hands <c>locked</c> the newest version of a
    /// range another ack just shrank, and the delete and update that follow act on that version.
    /// The ids are matched with a hash join, not an array overlap (which compares every pair).
    /// </remarks>
    public async Task<int?> AckAsync(string group, string[] ids, CancellationToken ct)
    {
        await schema.EnsureCreatedAsync(ct);
        var (min, max) = OrdinalSpan(ids);
        await using var cmd = dataSource.CreateCommand($"""
            WITH relaxed AS (SELECT set_config('synchronous_commit', 'off', true)),
            grp AS (SELECT name FROM {s}.sub_groups WHERE name = @g FOR SHARE),
            locked AS (
                SELECT r.range_id, r.ords, r.ids FROM {s}.sub_pending_ranges r
                WHERE r.group_name = @g AND r.deadline IS NOT NULL AND r.first_ord <= @max AND r.last_ord >= @min
                  AND EXISTS (SELECT FROM grp)
                ORDER BY r.range_id FOR UPDATE),
            acked AS (SELECT DISTINCT unnest(@ids::text[]) AS id),
            split AS (
                SELECT l.range_id,
                       array_agg(u.o ORDER BY u.pos) FILTER (WHERE a.id IS NULL) AS keep_ords,
                       array_agg(u.i ORDER BY u.pos) FILTER (WHERE a.id IS NULL) AS keep_ids,
                       count(a.id) AS hits
                FROM locked l CROSS JOIN LATERAL unnest(l.ords, l.ids) WITH ORDINALITY AS u(o, i, pos)
                LEFT JOIN acked a ON a.id = u.i
                GROUP BY l.range_id HAVING count(a.id) > 0),
            gone AS (
                DELETE FROM {s}.sub_pending_ranges r USING split p
                WHERE r.range_id = p.range_id AND p.keep_ids IS NULL RETURNING p.hits),
            shrunk AS (
                UPDATE {s}.sub_pending_ranges r SET ords = p.keep_ords, ids = p.keep_ids,
                    first_ord = p.keep_ords[1], last_ord = p.keep_ords[cardinality(p.keep_ords)]
                FROM split p WHERE r.range_id = p.range_id AND p.keep_ids IS NOT NULL RETURNING p.hits)
            SELECT (SELECT count(*) FROM grp), ((SELECT coalesce(sum(hits), 0) FROM gone) + (SELECT coalesce(sum(hits), 0) FROM shrunk))::int,
                   (SELECT count(*) FROM relaxed)
            """);
        cmd.Parameters.AddWithValue("g", group);
        cmd.Parameters.AddWithValue("ids", ids);
        cmd.Parameters.AddWithValue("min", min);
        cmd.Parameters.AddWithValue("max", max);
        long exists;
        int acked;
        await using (var reader = await cmd.ExecuteReaderAsync(ct))
        {
            await reader.ReadAsync(ct);
            exists = reader.GetInt64(0);
            acked = reader.GetInt32(1);
        }
        if (exists == 0) return null;
        if (acked > 0) SignalChanged();
        return acked;
    }

    /// <summary>The ordinals the ids can fall in (empty, min above max, when none is a message id).</summary>
    static (long Min, long Max) OrdinalSpan(IEnumerable<string> ids)
    {
        long min = long.MaxValue, max = long.MinValue;
        foreach (var id in ids)
        {
            if (!PendingRange.TryOrdinalSpan(id, out var first, out var last)) continue;
            min = Math.Min(min, first);
            max = Math.Max(max, last);
        }
        return (min, max);
    }

    /// <summary>
    /// A failed delivery attempt by the service itself (webhooks): counts it and extends the deadline
    /// of that one message (split out of its range, so the board's later messages keep their own
    /// counts). Returns the new delivery count, or null when it is no longer in flight (acked, taken over).
    /// </summary>
    public async Task<int?> CountRetryAsync(string group, string id, int ackTimeoutSeconds, CancellationToken ct)
    {
        await using var connection = await dataSource.OpenConnectionAsync(ct);
        await using var tx = await connection.BeginTransactionAsync(ct);
        var (_, ranges) = await LockRangesAsync(connection, tx, group, [id], inFlightOnly: true, ct);
        if (ranges.Count == 0) return null;
        var range = ranges[0];
        var at = Array.IndexOf(range.Ids, id);
        var batch = new NpgsqlBatch(connection, tx);
        // The range becomes three that do not overlap: the head before the retried message and the
        // tail after it keep the holder, count and deadline; the retried message gets its own. Ranges
        // of a board must never interleave: a later read takes them in first_ord order, so a range
        // spanning the retried message would hand out its tail before it.
        if (range.Ids.Length > 1)
        {
            var at1 = at + 1; // PostgreSQL arrays are 1-based
            AddCommand(batch, $"""
                INSERT INTO {s}.sub_pending_ranges (group_name, board_id, first_ord, last_ord, ords, ids, consumer, delivery_count, deadline)
                SELECT group_name, board_id, ords[@at], ords[@at], ARRAY[ords[@at]], ARRAY[ids[@at]], consumer, delivery_count + 1, now() + make_interval(secs => @t)
                FROM {s}.sub_pending_ranges WHERE range_id = @r
                """, ("r", range.RangeId), ("at", at1), ("t", (double)ackTimeoutSeconds));
            if (at1 < range.Ids.Length)
                AddCommand(batch, $"""
                    INSERT INTO {s}.sub_pending_ranges (group_name, board_id, first_ord, last_ord, ords, ids, consumer, delivery_count, deadline)
                    SELECT group_name, board_id, ords[@at + 1], last_ord, ords[@at + 1:], ids[@at + 1:], consumer, delivery_count, deadline
                    FROM {s}.sub_pending_ranges WHERE range_id = @r
                    """, ("r", range.RangeId), ("at", at1));
            if (at1 > 1)
                AddCommand(batch, $"""
                    UPDATE {s}.sub_pending_ranges SET ords = ords[1:@at - 1], ids = ids[1:@at - 1], last_ord = ords[@at - 1] WHERE range_id = @r
                    """, ("r", range.RangeId), ("at", at1));
            else
                AddCommand(batch, $"DELETE FROM {s}.sub_pending_ranges WHERE range_id = @r", ("r", range.RangeId));
        }
        else
        {
            AddCommand(batch, $"""
                UPDATE {s}.sub_pending_ranges SET delivery_count = delivery_count + 1, deadline = now() + make_interval(secs => @t) WHERE range_id = @r
                """, ("r", range.RangeId), ("t", (double)ackTimeoutSeconds));
        }
        await batch.ExecuteNonQueryAsync(ct);
        await tx.CommitAsync(ct);
        return range.DeliveryCount + 1;
    }

    /// <summary>Moves one pending message to the dead letters now (its deliveries are used up).</summary>
    public async Task DeadLetterAsync(string group, string id, CancellationToken ct)
    {
        await using var connection = await dataSource.OpenConnectionAsync(ct);
        await using var tx = await connection.BeginTransactionAsync(ct);
        var (_, ranges) = await LockRangesAsync(connection, tx, group, [id], inFlightOnly: false, ct);
        if (ranges.Count > 0)
        {
            var range = ranges[0];
            var at = Array.IndexOf(range.Ids, id);
            var batch = new NpgsqlBatch(connection, tx);
            var emptied = new List<long>();
            AddRemoval(batch, range, new HashSet<string>([id], StringComparer.Ordinal), emptied);
            AddDeleteRanges(batch, emptied);
            await AddDeadLettersAsync(batch, group, [range with { Ords = [range.Ords[at]], Ids = [id] }], ct);
            await batch.ExecuteNonQueryAsync(ct);
        }
        await tx.CommitAsync(ct);
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
            WITH back AS (DELETE FROM {s}.sub_dead WHERE group_name = @g RETURNING id, ord, board_id)
            INSERT INTO {s}.sub_pending_ranges (group_name, board_id, first_ord, last_ord, ords, ids, consumer, delivery_count, deadline)
                SELECT @g, board_id, ord, ord, ARRAY[ord], ARRAY[id], NULL, 0, '-infinity' FROM back
            """);
        cmd.Parameters.AddWithValue("g", group);
        var count = await cmd.ExecuteNonQueryAsync(ct);
        SignalChanged();
        return count;
    }

    /// <summary>Every group's <c>lag</c> (as <see cref="StatusAsync"/> reports it), in one query: the metrics sampler's view.</summary>
    public async Task<Dictionary<string, long>> LagsAsync(CancellationToken ct)
    {
        await schema.EnsureCreatedAsync(ct);
        await using var cmd = dataSource.CreateCommand($"""
            SELECT g.name, (SELECT count(*) FROM {s}.sub_messages WHERE seq_id >= g.cursor / {LogMessage.PerEvent} AND seq_id <= w.written_up_to)
            FROM {s}.sub_groups g, {s}.sub_watermark w WHERE w.id = 1
            """);
        var lags = new Dictionary<string, long>(StringComparer.Ordinal);
        await using var reader = await cmd.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct)) lags[reader.GetString(0)] = reader.GetInt64(1);
        return lags;
    }

    public async Task<GroupStatus?> StatusAsync(string group, CancellationToken ct)
    {
        await schema.EnsureCreatedAsync(ct);
        await using var connection = await dataSource.OpenConnectionAsync(ct);
        await using var cmd = new NpgsqlCommand($"""
            SELECT g.position, g.cursor, w.written_up_to,
                   coalesce((SELECT last_sequence FROM {s}.sub_messages WHERE seq_id <= w.written_up_to ORDER BY seq_id DESC LIMIT 1), 0),
                   (SELECT count(*) FROM {s}.sub_messages WHERE seq_id >= g.cursor / {LogMessage.PerEvent} AND seq_id <= w.written_up_to),
                   (SELECT coalesce(sum(cardinality(ids)), 0)::bigint FROM {s}.sub_pending_ranges WHERE group_name = @g),
                   (SELECT count(*) FROM {s}.sub_dead WHERE group_name = @g)
            FROM {s}.sub_groups g, {s}.sub_watermark w WHERE g.name = @g AND w.id = 1;
            SELECT c.name, coalesce(sum(cardinality(p.ids)), 0)::bigint, (extract(epoch FROM now() - c.last_seen) * 1000)::bigint
            FROM {s}.sub_consumers c LEFT JOIN {s}.sub_pending_ranges p ON p.group_name = c.group_name AND p.consumer = c.name
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
