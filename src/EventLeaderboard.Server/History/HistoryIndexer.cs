using EventLeaderboard.Server.Audit;
using EventLeaderboard.Server.Configuration;
using EventLeaderboard.Server.Projection;
using EventLeaderboard.Server.Schema;
using EventLeaderboard.Server.Snapshots;
using Microsoft.Extensions.Options;
using Npgsql;
using NpgsqlTypes;

namespace EventLeaderboard.Server.History;

/// <summary>
/// Writes the history index: rows from the <see cref="HistoryFeed"/> (live) or re-derived from the
/// log (catch-up), in binary COPY batches, each with the watermark in the same transaction.
/// </summary>
/// <remarks>
/// <para><b>One writer per cluster.</b> Every node runs this; the one holding the session-level
/// advisory lock <see cref="LockKey"/> on its dedicated connection writes, the others retry every
/// <see cref="HistoryOptions.LockRetrySeconds"/> (Marten's async daemon elects its leader the same
/// way). The writer writes on that same connection, so when it dies (process killed, connection
/// lost) its lock and any open transaction go together, and a standby takes over within a retry.
/// Each write also checks, under a row lock, that the watermark is still the one it started from:
/// two writers can never both append the same range.</para>
/// <para><b>No hole.</b> The watermark says "every event with seq_id &lt;= it has its rows"; it
/// only moves in the transaction that writes the rows below it, and rows are written in log order.
/// Whatever was not committed when a node died lies above the watermark, and the next writer
/// starts there. Because a projection started from a snapshot may already be past the watermark,
/// and a live feed that overflowed has dropped a range, the range between the watermark and the
/// point where the live feed (re)starts is always re-derived from mt_events: a private projection
/// is restored from the newest snapshots at or below the watermark and replayed (same Apply code
/// as the live node, so the same resulting scores), collecting only the rows above the watermark.</para>
/// <para><b>synchronous_commit = off.</b> The index is derived data. An asynchronous commit can
/// only lose the newest transactions if PostgreSQL itself crashes, and PostgreSQL loses a suffix
/// of commits, never one from the middle; rows and watermark share each transaction, so both are
/// lost together, the watermark never runs ahead of its rows, and the lost range is re-derived
/// from the log. It spares the ingest path (which does wait for its fsyncs) a competing WAL flush
/// per index write. A killed server process loses nothing committed either way.</para>
/// </remarks>
public sealed class HistoryIndexer(
    NpgsqlDataSource dataSource,
    HistoryFeed feed,
    LogFollower follower,
    LeaderboardProjection projection,
    LogReplay replay,
    SnapshotRestorer restorer,
    SchemaGuard schema,
    IOptions<IngestOptions> ingest,
    IOptions<StorageOptions> storage,
    IOptions<HistoryOptions> options,
    ILogger<HistoryIndexer> logger) : BackgroundService
{
    /// <summary>"LBHIST" in ASCII.</summary>
    public const long LockKey = 0x4C4248495354;

    /// <summary>Rows per write transaction at most (the follower keeps queueing meanwhile).</summary>
    const int MaxRowsPerWrite = 100_000;

    /// <summary>How long a stopping writer may spend writing what is queued (the host allows 30 s to stop).</summary>
    static readonly TimeSpan FlushOnStop = TimeSpan.FromSeconds(10);

    /// <summary>Events per catch-up step: a batch event holds up to 1024 rows, so at most ~260K rows in memory.</summary>
    const long CatchUpChunkEvents = 256;

    readonly string _s = storage.Value.Schema;
    readonly TimeSpan _retry = TimeSpan.FromSeconds(options.Value.LockRetrySeconds);
    readonly TimeSpan _writeDelay = TimeSpan.FromMilliseconds(options.Value.WriteDelayMs);
    long _indexedUpTo;
    volatile bool _isWriter;

    /// <summary>Whether this node currently writes the index.</summary>
    public bool IsWriter => _isWriter;

    /// <summary>The watermark as this node last wrote it (0 on a standby).</summary>
    public long IndexedUpTo => Volatile.Read(ref _indexedUpTo);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!options.Value.Enabled) return;
        await Task.Yield();
        while (!stoppingToken.IsCancellationRequested)
        {
            NpgsqlConnection? connection = null;
            try
            {
                await schema.EnsureAsync(stoppingToken);
                connection = await AcquireAsync(stoppingToken);
                _isWriter = true;
                logger.LogInformation("This node writes the history index");
                await LeadAsync(connection, stoppingToken);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e)
            {
                logger.LogWarning(e, "History index writer stopped; standing by to take over again");
            }
            finally
            {
                feed.Stop();
                _isWriter = false;
                while (feed.Pages.TryRead(out var stale)) feed.Consumed(stale);
                if (connection is not null) await ReleaseAsync(connection);
            }
            try { await Task.Delay(_retry, stoppingToken); }
            catch (OperationCanceledException) { return; }
        }
    }

    /// <summary>Returns a connection holding the writer's lock, trying every few seconds.</summary>
    async Task<NpgsqlConnection> AcquireAsync(CancellationToken ct)
    {
        while (true)
        {
            var connection = await dataSource.OpenConnectionAsync(ct);
            try
            {
                while (true)
                {
                    await using var cmd = new NpgsqlCommand($"SELECT pg_try_advisory_lock({LockKey})", connection);
                    if ((bool)(await cmd.ExecuteScalarAsync(ct))!) return connection;
                    await Task.Delay(_retry, ct);
                }
            }
            catch
            {
                await connection.DisposeAsync();
                throw;
            }
        }
    }

    static async Task ReleaseAsync(NpgsqlConnection connection)
    {
        try
        {
            // A healthy connection goes back to the pool: it must not keep the lock there.
            await using var unlock = new NpgsqlCommand($"SELECT pg_advisory_unlock({LockKey})", connection);
            await unlock.ExecuteNonQueryAsync(CancellationToken.None);
        }
        catch (Exception e) when (e is NpgsqlException or InvalidOperationException)
        {
            // Broken: the server side is gone or going, and the lock with it.
        }
        await connection.DisposeAsync();
    }

    async Task LeadAsync(NpgsqlConnection connection, CancellationToken ct)
    {
        var indexed = await ReadWatermarkAsync(connection, ct);
        // The start-up replay is faster to re-derive in one go than to feed page by page.
        while (!projection.IsReady) await Task.Delay(100, ct);
        indexed = await ResumeAsync(connection, indexed, ct);
        while (true)
        {
            using (var idle = CancellationTokenSource.CreateLinkedTokenSource(ct))
            {
                idle.CancelAfter(_retry);
                try
                {
                    await feed.Pages.WaitToReadAsync(idle.Token);
                }
                catch (OperationCanceledException) when (ct.IsCancellationRequested)
                {
                    await FlushOnStopAsync(connection, indexed);
                    throw;
                }
                catch (OperationCanceledException)
                {
                    // Idle: prove the lock's connection is still alive, or give up being the writer.
                    await using var ping = new NpgsqlCommand("SELECT 1", connection);
                    await ping.ExecuteScalarAsync(ct);
                    continue;
                }
            }
            // Let a few pages gather: one transaction for many small pages costs PostgreSQL far less
            // than one each (single-score ingest makes a page per commit), for a little more lag.
            if (_writeDelay > TimeSpan.Zero)
            {
                try
                {
                    await Task.Delay(_writeDelay, ct);
                }
                catch (OperationCanceledException) when (ct.IsCancellationRequested)
                {
                    // Under steady ingest the writer is mostly here: a stop must flush from here too.
                    await FlushOnStopAsync(connection, indexed);
                    throw;
                }
            }
            (indexed, var overflowed) = await DrainAsync(connection, indexed, ct);
            if (overflowed)
            {
                logger.LogWarning("History index fell {Rows}+ rows behind the projection; re-deriving from the log after seq_id {SeqId}",
                    options.Value.QueueRows, indexed);
                indexed = await ResumeAsync(connection, indexed, ct);
            }
        }
    }

    /// <summary>
    /// Stopping: writes everything queued, in as many transactions as it takes, within
    /// <see cref="FlushOnStop"/>. What is left unwritten is re-derived at the next start, which replays
    /// the log from the newest snapshot below the watermark (at 10M players a second copy of the board
    /// and up to <c>Snapshots:EverySeconds</c> of log). Called only where the writer was waiting, never
    /// in the middle of a write: pages taken by an interrupted write must not be followed by later ones.
    /// </summary>
    async Task FlushOnStopAsync(NpgsqlConnection connection, long indexed)
    {
        using var flush = new CancellationTokenSource(FlushOnStop);
        while (true)
        {
            var (written, overflowed) = await DrainAsync(connection, indexed, flush.Token);
            if (overflowed || written == indexed) return;
            indexed = written;
        }
    }

    /// <summary>
    /// Writes the queued pages (up to <see cref="MaxRowsPerWrite"/> rows) in one transaction; returns
    /// the new watermark and whether the feed overflowed (and turned itself off) after them.
    /// </summary>
    async Task<(long Indexed, bool Overflowed)> DrainAsync(NpgsqlConnection connection, long indexed, CancellationToken ct)
    {
        var pages = new List<List<HistoryRow>>();
        var upTo = indexed;
        var rows = 0;
        while (rows < MaxRowsPerWrite && feed.Pages.TryRead(out var page))
        {
            feed.Consumed(page);
            if (page.Overflowed) return (await WriteIfAnyAsync(), true);
            if (page.SeqId <= indexed) continue; // queued before the last resume: re-derived already
            pages.Add(page.Rows);
            rows += page.Rows.Count;
            upTo = page.SeqId;
        }
        return (await WriteIfAnyAsync(), false);

        async Task<long> WriteIfAnyAsync()
        {
            if (upTo > indexed) await WriteAsync(connection, pages, indexed, upTo, ct);
            return upTo;
        }
    }

    /// <summary>
    /// Turns the live feed on between two of the follower's pages and re-derives everything from
    /// the watermark up to that point from the log; returns the new watermark.
    /// </summary>
    async Task<long> ResumeAsync(NpgsqlConnection connection, long indexed, CancellationToken ct)
    {
        var liveAfter = await follower.RunBetweenEventsAsync(seqId =>
        {
            // A node taking over may be behind the watermark the previous writer left: rows at or
            // below it are in the index already, and copying them again would fail on the key.
            feed.After = Math.Max(indexed, seqId);
            feed.Start();
            return seqId;
        }).WaitAsync(ct);
        return await CatchUpAsync(connection, indexed, liveAfter, ct);
    }

    async Task<long> CatchUpAsync(NpgsqlConnection connection, long indexed, long upTo, CancellationToken ct)
    {
        if (upTo <= indexed)
        {
            SetIndexed(indexed);
            return indexed;
        }
        var collector = new HistoryRowCollector { After = indexed };
        var rebuild = new LeaderboardProjection(ingest, [collector]);
        var restored = await restorer.LoadNewestAsync(null, indexed, ct);
        foreach (var board in restored.Boards) rebuild.Restore(board);
        var from = await ReplayStartAsync(restored, rebuild, ct);
        logger.LogInformation("History index: deriving seq_id {After}..{UpTo} from the log (replay from {From}, {Boards} board(s) from snapshots)",
            indexed + 1, upTo, from, restored.Boards.Count);
        while (from < upTo)
        {
            var to = Math.Min(upTo, from + CatchUpChunkEvents);
            await replay.ReplayAsync(rebuild, null, from, to, ct);
            if (to > indexed)
            {
                await WriteAsync(connection, [collector.Take()], indexed, to, ct);
                indexed = to;
            }
            from = to;
        }
        return indexed;
    }

    /// <summary>
    /// Where the catch-up replay starts: the snapshots' shared tail, or earlier when a board without
    /// a snapshot at or below the watermark was defined before that tail (the replay must see its
    /// definition, found through its <c>board:</c> stream's index, not a scan of the log).
    /// </summary>
    async Task<long> ReplayStartAsync(RestoredBoards restored, LeaderboardProjection rebuild, CancellationToken ct)
    {
        var missing = projection.Boards.Select(b => b.Config.BoardId).Where(id => !rebuild.TryGetBoard(id, out _)).Select(id => "board:" + id).ToArray();
        if (missing.Length == 0 || restored.TailAfter == 0) return restored.TailAfter;
        await using var cmd = dataSource.CreateCommand($"SELECT min(seq_id) FROM {_s}.mt_events WHERE stream_id = ANY(@streams)");
        cmd.Parameters.AddWithValue("streams", missing);
        return await cmd.ExecuteScalarAsync(ct) is long first ? Math.Min(restored.TailAfter, first - 1) : restored.TailAfter;
    }

    async Task<long> ReadWatermarkAsync(NpgsqlConnection connection, CancellationToken ct)
    {
        await using var cmd = new NpgsqlCommand($"SELECT indexed_up_to FROM {_s}.{HistoryTables.Watermark} WHERE id = 1", connection);
        return (long)(await cmd.ExecuteScalarAsync(ct))!;
    }

    /// <summary>Appends rows of events in (<paramref name="from"/>, <paramref name="upTo"/>] and moves the watermark, atomically.</summary>
    async Task WriteAsync(NpgsqlConnection connection, IReadOnlyList<List<HistoryRow>> batches, long from, long upTo, CancellationToken ct)
    {
        await using var tx = await connection.BeginTransactionAsync(ct);
        // Moves the watermark first (taking its row lock) and only if it is still where this writer
        // left it: one round trip instead of a check and an update; the rows follow in the same transaction.
        await using (var mark = new NpgsqlCommand(
            $"SET LOCAL synchronous_commit = off; UPDATE {_s}.{HistoryTables.Watermark} SET indexed_up_to = @upTo WHERE id = 1 AND indexed_up_to = @from",
            connection, tx))
        {
            mark.Parameters.AddWithValue("upTo", upTo);
            mark.Parameters.AddWithValue("from", from);
            if (await mark.ExecuteNonQueryAsync(ct) != 1)
                throw new InvalidOperationException($"The history watermark is no longer {from}: another node wrote the index.");
        }
        if (batches.Any(rows => rows.Count > 0)) await CopyAsync(connection, batches, ct);
        await tx.CommitAsync(ct);
        SetIndexed(upTo);
    }

    async Task CopyAsync(NpgsqlConnection connection, IReadOnlyList<List<HistoryRow>> batches, CancellationToken ct)
    {
        await using (var copy = await connection.BeginBinaryImportAsync(
            $"COPY {_s}.{HistoryTables.Rows} (board_id, player_id, sequence, kind, score, resulting_score, submission_id, submitted_by) FROM STDIN (FORMAT BINARY)", ct))
        {
            // Synchronous row writes: they only fill Npgsql's buffer (flushing it now and then) and
            // cost far less per value than the async overloads on this dedicated loop.
            foreach (var rows in batches)
            {
                foreach (var row in rows)
                {
                    copy.StartRow();
                    copy.Write(row.BoardId, NpgsqlDbType.Text);
                    copy.Write(row.PlayerId, NpgsqlDbType.Text);
                    copy.Write(row.Sequence, NpgsqlDbType.Bigint);
                    copy.Write((short)row.Kind, NpgsqlDbType.Smallint);
                    WriteNullable(copy, row.Score);
                    WriteNullable(copy, row.ResultingScore);
                    WriteNullable(copy, row.SubmissionId);
                    WriteNullable(copy, row.SubmittedBy);
                }
            }
            await copy.CompleteAsync(ct);
        }
    }

    void SetIndexed(long seqId) => Volatile.Write(ref _indexedUpTo, seqId);

    static void WriteNullable(NpgsqlBinaryImporter copy, long? value)
    {
        if (value is { } v) copy.Write(v, NpgsqlDbType.Bigint);
        else copy.WriteNull();
    }

    static void WriteNullable(NpgsqlBinaryImporter copy, string? value)
    {
        if (value is not null) copy.Write(value, NpgsqlDbType.Text);
        else copy.WriteNull();
    }
}
