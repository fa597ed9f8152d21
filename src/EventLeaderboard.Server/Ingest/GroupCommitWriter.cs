using System.Diagnostics;
using System.Threading.Channels;
using EventLeaderboard.Server.Configuration;
using EventLeaderboard.Server.Events;
using EventLeaderboard.Server.Observability;
using EventLeaderboard.Server.Projection;
using JasperFx.Events;
using Marten;
using Marten.Services;
using Microsoft.Extensions.Options;
using Npgsql;

namespace EventLeaderboard.Server.Ingest;

/// <summary>
/// The node's appender (group commit). Submissions wait in a bounded channel; a committer that
/// holds the append lock takes everything that arrived while the previous transaction was
/// committing (up to <see cref="IngestOptions.MaxBatchScores"/>, waiting at most
/// <see cref="IngestOptions.MaxBatchDelayMs"/> for more), appends it through Marten in ONE
/// transaction and hands the events to the
/// <see cref="LogFollower"/>, which completes each request once its event is applied. A failed
/// transaction fails exactly the requests in it.
/// </summary>
/// <remarks>
/// The unit of appending is a batch: one <see cref="ScoresSubmitted"/> event per up to 1024 scores
/// (a request's items never split), on this node's lane stream. Every transaction first takes
/// <c>pg_advisory_xact_lock(<see cref="AppendLockKey"/>)</c>, so appends from all nodes are
/// serialized and seq_ids become visible in increasing order: the follower can read past any
/// seq_id it has seen without missing a later-committing lower one. The lock is held for one
/// append and its commit (fsync included), so it bounds the cluster to one commit at a time;
/// <see cref="IngestOptions.MaxConcurrentCommits"/> transactions per node queue on it.
/// </remarks>
public sealed class GroupCommitWriter(
    IDocumentStore store,
    NpgsqlDataSource dataSource,
    LogFollower follower,
    IOptions<IngestOptions> ingestOptions,
    IOptions<StorageOptions> storageOptions,
    IConfiguration configuration,
    ILogger<GroupCommitWriter> logger) : BackgroundService
{
    /// <summary>Advisory lock key that serializes appends across nodes ("LBOARD" in ASCII).</summary>
    public const long AppendLockKey = 0x4C424F415244;

    readonly IngestOptions _options = ingestOptions.Value;
    readonly Channel<PendingWrite> _queue = Channel.CreateBounded<PendingWrite>(
        new BoundedChannelOptions(ingestOptions.Value.QueueCapacity) { SingleReader = false, FullMode = BoundedChannelFullMode.Wait });
    readonly string _laneStream = "lane:" + NodeName.Of(configuration);
    readonly string _notifySql = $"SELECT pg_notify('{LogFollower.NotifyChannel}', '{follower.InstanceId}')";
    readonly string _lastSeqSql =
        $"SELECT seq_id FROM {storageOptions.Value.Schema}.mt_events WHERE stream_id = @stream ORDER BY version DESC LIMIT @count";

    /// <summary>Queues a write; completes when it is queued (waits while the queue is full).</summary>
    /// <exception cref="ServerStoppingException">The writer has stopped taking writes.</exception>
    public async ValueTask EnqueueAsync(PendingWrite write, CancellationToken ct)
    {
        try { await _queue.Writer.WriteAsync(write, ct); }
        catch (ChannelClosedException e) { throw new ServerStoppingException(e); }
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        await Task.Yield();
        // Several committers; each opens its transaction and takes the advisory lock FIRST and
        // only then drains the queue. So the lock round trip and wait overlap the previous
        // transaction's fsync, and each group holds everything that arrived until the moment it
        // can actually be written (a committer that drained early would carry a tiny group).
        var committers = Enumerable.Range(0, Math.Max(1, _options.MaxConcurrentCommits))
            .Select(_ => RunCommitterAsync(stoppingToken)).ToArray();
        await Task.WhenAll(committers);
        // No write may be queued after the last drain, or its request would wait forever.
        _queue.Writer.TryComplete();
        var stopped = new ServerStoppingException();
        while (_queue.Reader.TryRead(out var left)) left.Fail(stopped);
    }

    async Task RunCommitterAsync(CancellationToken stoppingToken)
    {
        var reader = _queue.Reader;
        var connection = new KeptConnection(dataSource, "SELECT pg_advisory_xact_lock($1)",
            () => [new NpgsqlParameter<long> { TypedValue = AppendLockKey }]);
        try
        {
            while (await reader.WaitToReadAsync(stoppingToken))
                await CommitNextGroupAsync(connection, stoppingToken);
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
        catch (Exception e)
        {
            logger.LogCritical(e, "A group-commit loop stopped");
        }
        finally
        {
            await connection.DisposeAsync();
        }
    }

    /// <summary>Takes what the queue holds (up to MaxBatchScores) once this transaction holds the lock, and commits it.</summary>
    async Task CommitNextGroupAsync(KeptConnection committer, CancellationToken ct)
    {
        var batch = new List<PendingWrite>();
        var registered = new List<long>();
        try
        {
            // A connection of its own, kept from one group to the next: a pooled one cost a DISCARD ALL
            // per transaction, and the lock statement stays prepared.
            var lockCmd = await committer.OpenAsync(ct);
            var connection = lockCmd.Connection!;
            await using var tx = await connection.BeginTransactionAsync(ct);
            lockCmd.Transaction = tx;
            await lockCmd.ExecuteNonQueryAsync(ct);
            await DrainAsync(batch, ct);
            if (batch.Count == 0) return; // another committer took it; the transaction rolls back
            var appendStarted = Stopwatch.GetTimestamp();
            await AppendAsync(batch, tx, registered, ct);
            await tx.CommitAsync(ct);
            LeaderboardMetrics.GroupCommitted(batch, appendStarted);
        }
        catch (Exception e)
        {
            foreach (var seqId in registered) follower.Unregister(seqId);
            var stopping = e is OperationCanceledException && ct.IsCancellationRequested;
            if (!stopping) logger.LogError(e, "Group commit of {Count} writes failed", batch.Count);
            var failure = stopping
                ? new ServerStoppingException(e)
                : new CommitFailedException("The event store did not commit the submission.", e);
            foreach (var write in batch) write.Fail(failure);
            // The connection may be broken or mid-protocol: the next group starts on another one.
            // Only after the writes are failed, and never throwing: a failing dispose must neither
            // leave requests waiting nor end the committer's loop.
            try { await committer.DiscardAsync(); }
            catch (Exception discard) { logger.LogWarning(discard, "Discarding the committer's connection failed"); }
            if (stopping) throw;
            return;
        }
        follower.Wake();
    }

    async Task DrainAsync(List<PendingWrite> batch, CancellationToken ct)
    {
        var reader = _queue.Reader;
        var scores = 0;
        var started = Stopwatch.GetTimestamp();
        var maxDelay = TimeSpan.FromMilliseconds(_options.MaxBatchDelayMs);
        while (true)
        {
            while (scores < _options.MaxBatchScores && reader.TryRead(out var write))
            {
                batch.Add(write);
                scores += write.ScoreCount;
            }
            var left = maxDelay - Stopwatch.GetElapsedTime(started);
            if (scores >= _options.MaxBatchScores || left <= TimeSpan.Zero) return;
            var more = reader.WaitToReadAsync(ct).AsTask();
            if (await Task.WhenAny(more, Task.Delay(left, ct)) != more) return;
        }
    }

    async Task AppendAsync(List<PendingWrite> batch, NpgsqlTransaction tx, List<long> registered, CancellationToken ct)
    {
        var laneEvents = new List<OwnEvent>();
        var otherEvents = new List<(string Stream, OwnEvent Own)>();
        BuildEvents(batch, laneEvents, otherEvents);
        var appended = new List<(IEvent Appended, OwnEvent Own, string Stream)>(laneEvents.Count + otherEvents.Count);
        await using (var session = store.LightweightSession(Marten.Services.SessionOptions.ForTransaction(tx)))
        {
            if (laneEvents.Count > 0)
            {
                var action = session.Events.Append(_laneStream, laneEvents.Select(e => e.Event).ToArray());
                for (var i = 0; i < laneEvents.Count; i++) appended.Add((action.Events[i], laneEvents[i], _laneStream));
            }
            foreach (var (stream, own) in otherEvents)
                appended.Add((session.Events.Append(stream, own.Event).Events[^1], own, stream));
            // Wakes the other nodes' followers at commit; sent in Marten's batch, no extra round trip.
            // The payload names this process, so its own listener ignores it (this follower is woken directly).
            session.QueueSqlCommand(_notifySql);
            await session.SaveChangesAsync(ct);
        }
        if (appended.All(a => a.Appended.Sequence > 0))
        {
            foreach (var (e, own, _) in appended) Register(e.Sequence, own, registered);
        }
        else
        {
            // Should this Marten version's quick append not report seq_ids: read them back under
            // the lock (the stream's newest rows are ours, in append order).
            foreach (var group in appended.GroupBy(a => a.Stream))
                await RegisterAsync(tx.Connection!, tx, group.Key, group.Select(g => g.Own).ToList(), registered, ct);
        }
    }

    async Task RegisterAsync(NpgsqlConnection connection, NpgsqlTransaction tx, string stream, IReadOnlyList<OwnEvent> events, List<long> registered, CancellationToken ct)
    {
        if (events.Count == 0) return;
        var seqIds = new long[events.Count];
        await using var cmd = new NpgsqlCommand(_lastSeqSql, connection, tx);
        cmd.Parameters.AddWithValue("stream", stream);
        cmd.Parameters.AddWithValue("count", events.Count);
        await using (var reader = await cmd.ExecuteReaderAsync(ct))
        {
            var i = events.Count;
            while (await reader.ReadAsync(ct)) seqIds[--i] = reader.GetInt64(0);
            if (i != 0) throw new InvalidOperationException($"Expected {events.Count} appended events on {stream}.");
        }
        for (var i = 0; i < events.Count; i++) Register(seqIds[i], events[i], registered);
    }

    void Register(long seqId, OwnEvent own, List<long> registered)
    {
        follower.RegisterOwn(seqId, own);
        registered.Add(seqId);
    }

    /// <summary>Packs score requests into events of at most 1024 items, keeping each request whole.</summary>
    static void BuildEvents(List<PendingWrite> batch, List<OwnEvent> lane, List<(string, OwnEvent)> other)
    {
        var now = DateTimeOffset.UtcNow;
        var items = new List<ScoreItem>();
        var owners = new List<ScoreSubmission>();
        var ownerIndex = new List<int>();
        void Flush()
        {
            if (items.Count == 0) return;
            lane.Add(new OwnEvent(new ScoresSubmitted(now, items.ToArray()), owners.ToArray(), ownerIndex.ToArray()));
            items.Clear();
            owners.Clear();
            ownerIndex.Clear();
        }
        foreach (var write in batch)
        {
            switch (write)
            {
                case ScoreSubmission scores:
                    if (items.Count + scores.Items.Length > LogPosition.ItemsPerEvent) Flush();
                    for (var i = 0; i < scores.Items.Length; i++)
                    {
                        items.Add(scores.Items[i]);
                        owners.Add(scores);
                        ownerIndex.Add(i);
                    }
                    break;
                case SingleEventWrite<RemovalResult> removal:
                    // Removals share the lane so they keep their place among the scores around them.
                    Flush();
                    lane.Add(new OwnEvent(removal.Event, Single: removal));
                    break;
                case SingleEventWrite<BoardChangeResult> board:
                    other.Add((board.StreamKey, new OwnEvent(board.Event, Single: board)));
                    break;
            }
        }
        Flush();
    }
}
