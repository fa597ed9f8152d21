using System.Collections.Concurrent;
using System.Text.Json;
using EventLeaderboard.Server.Configuration;
using EventLeaderboard.Server.Events;
using EventLeaderboard.Server.Ingest;
using EventLeaderboard.Server.Snapshots;
using Microsoft.Extensions.Options;
using Npgsql;

namespace EventLeaderboard.Server.Projection;

/// <summary>
/// Feeds the <see cref="LeaderboardProjection"/> from the log: reads mt_events in seq_id order with
/// raw Npgsql (several times faster than Marten's event queries for a replay) and applies each
/// event on this one loop, the projection's only writer. Wakes on this node's commits, on
/// PostgreSQL NOTIFY from other nodes, and on a short poll as a safety net.
/// </summary>
/// <remarks>
/// Reading past a seq_id is safe because every append takes one advisory lock before it draws
/// sequence numbers (see <see cref="GroupCommitWriter"/>): transactions commit in seq_id order, so
/// a number not visible yet can only belong to a rolled-back transaction. Rows of types it does
/// not know (Marten's tombstones, later event types) are skipped.
/// <para>An apply that throws (an engine bug, an observer) poisons the projection: applying the
/// event again would repeat the part already applied (an <c>increment</c> counted twice). The node
/// stops being ready, fails the requests waiting on its own events with "outcome unknown, retry
/// with the same submissionId", and rebuilds the projection from the newest snapshots and the log,
/// the start-up path, after a backoff that doubles per failed attempt.</para>
/// </remarks>
public sealed class LogFollower(
    NpgsqlDataSource dataSource,
    LeaderboardProjection projection,
    IOptions<IngestOptions> ingestOptions,
    IOptions<StorageOptions> storageOptions,
    SnapshotRestorer restorer,
    Audit.LogReplay replay,
    ILogger<LogFollower> logger) : BackgroundService
{
    public const string NotifyChannel = "leaderboard_events";

    /// <summary>
    /// Names this process in the NOTIFY payload of its commits. Its own listener skips those: the
    /// writer wakes this follower directly, and the notification would only add an empty read.
    /// </summary>
    public string InstanceId { get; } = Guid.NewGuid().ToString("N");

    readonly ConcurrentDictionary<long, OwnEvent> _own = new();
    readonly SemaphoreSlim _wake = new(0, 1);
    readonly IngestOptions _options = ingestOptions.Value;
    readonly string _selectSql =
        $"SELECT seq_id, type, CASE WHEN seq_id = ANY(@own) THEN NULL ELSE data END FROM {storageOptions.Value.Schema}.mt_events " +
        "WHERE seq_id > @after ORDER BY seq_id LIMIT @limit";
    readonly ConcurrentQueue<Action<long>> _betweenEvents = new();
    KeptConnection? _pageConnection;

    /// <summary>The page query on a connection of its own, prepared: it runs after every commit.</summary>
    KeptConnection PageQuery => _pageConnection ??= new KeptConnection(dataSource, _selectSql,
        () => [new NpgsqlParameter<long[]>("own", []), new NpgsqlParameter<long>("after", 0L), new NpgsqlParameter<int>("limit", 1)]);
    long _lastSeqId;
    bool _restored;
    int _rebuilds;

    /// <summary>Longest wait before a rebuild: a deterministic failure retries at most this often.</summary>
    static readonly TimeSpan MaxRebuildDelay = TimeSpan.FromSeconds(60);

    /// <summary>Registers an event this node is about to commit, so applying it completes its requests.</summary>
    public void RegisterOwn(long seqId, OwnEvent own) => _own[seqId] = own;

    /// <summary>Forgets events of a transaction that did not commit.</summary>
    public void Unregister(long seqId) => _own.TryRemove(seqId, out _);

    /// <summary>
    /// Runs <paramref name="work"/> on the follower's loop between two pages, with the seq_id the
    /// projection reflects exactly: no event is applied while it runs, so it sees a consistent
    /// state of every board (snapshots, verify). It holds up the projection: keep it short.
    /// </summary>
    public Task<T> RunBetweenEventsAsync<T>(Func<long, T> work)
    {
        var done = new TaskCompletionSource<T>(TaskCreationOptions.RunContinuationsAsynchronously);
        _betweenEvents.Enqueue(seqId =>
        {
            try { done.TrySetResult(work(seqId)); }
            catch (Exception e) { done.TrySetException(e); }
        });
        Wake();
        return done.Task;
    }

    /// <summary>
    /// Rows per query. While catching up at start-up nobody waits for a single event, and a
    /// million-event tail read 500 rows at a time spends most of its time in round trips.
    /// </summary>
    int PageSize => projection.IsReady ? _options.ReadPageSize : CatchUpPageSize;

    const int CatchUpPageSize = 20_000;

    void RunQueuedWork()
    {
        while (_betweenEvents.TryDequeue(out var work)) work(_lastSeqId);
    }

    /// <summary>Asks the follower to read the log now.</summary>
    public void Wake()
    {
        try { _wake.Release(); }
        catch (SemaphoreFullException) { /* a wake-up is already pending */ }
    }

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        await base.StopAsync(cancellationToken);
        // The loop has ended (or been abandoned at the host's timeout): close the page connection.
        if (_pageConnection is { } page) await page.DisposeAsync();
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        await Task.Yield();
        _ = ListenAsync(stoppingToken);
        var poll = TimeSpan.FromMilliseconds(_options.PollIntervalMs);
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                if (!_restored)
                {
                    // Newest valid snapshot of each board first; the loop below then reads only the tail.
                    _lastSeqId = await restorer.RestoreAsync(projection, stoppingToken);
                    // Publish the snapshots' position at once: an idle log adds no page that would.
                    if (_lastSeqId > 0) projection.Advance(_lastSeqId);
                    _restored = true;
                }
                if (!projection.IsReady)
                {
                    await CatchUpAsync(stoppingToken);
                    // During a rebuild this node may have committed events the catch-up applied
                    // without their requests; those would otherwise wait forever.
                    FailOwn(upToSeqId: _lastSeqId);
                    // Queued work (snapshot capture, verify) runs on the rebuilt boards from here on.
                    projection.PublishBoards();
                }
                while (await ReadPageAsync(stoppingToken) == PageSize) RunQueuedWork();
                RunQueuedWork();
                if (!projection.IsReady)
                {
                    projection.MarkReady();
                    _rebuilds = 0;
                    logger.LogInformation("Projection caught up with the log at seq_id {SeqId}", _lastSeqId);
                }
                await _wake.WaitAsync(poll, stoppingToken);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e) when (projection.IsPoisoned)
            {
                if (!await PrepareRebuildAsync(e, stoppingToken)) return;
            }
            catch (Exception e)
            {
                logger.LogError(e, "Reading the event log failed; retrying");
                // A failed page read applied whole events only and moved _lastSeqId with each, so the
                // projection is as consistent here as between two pages: queued work (a snapshot's
                // capture, a verify) runs now instead of waiting for the database to come back. A node
                // stopping without its PostgreSQL used to wait here for the host's 30 s shutdown
                // timeout (the shutdown snapshot's capture). Not during the start-up catch-up, which
                // sets _lastSeqId only when it is done.
                if (projection.IsReady) RunQueuedWork();
                try { await Task.Delay(TimeSpan.FromSeconds(1), stoppingToken); }
                catch (OperationCanceledException) { return; }
            }
        }
    }

    /// <summary>
    /// After a poisoning apply: fails the waiting requests, waits the backoff, then resets the
    /// projection so the loop restores and catches up again. False when the node is stopping.
    /// </summary>
    async Task<bool> PrepareRebuildAsync(Exception error, CancellationToken ct)
    {
        _rebuilds++;
        var delay = TimeSpan.FromSeconds(Math.Min(MaxRebuildDelay.TotalSeconds, Math.Pow(2, _rebuilds - 1)));
        logger.LogCritical(error,
            "Applying the event log failed part-way after seq_id {SeqId}; this node is not ready and rebuilds its projection " +
            "from snapshots and the log in {Delay} s (attempt {Attempt})", _lastSeqId, delay.TotalSeconds, _rebuilds);
        FailOwn(upToSeqId: long.MaxValue);
        try { await Task.Delay(delay, ct); }
        catch (OperationCanceledException) { return false; }
        projection.BeginRebuild();
        _restored = false;
        _lastSeqId = 0;
        return true;
    }

    /// <summary>
    /// Fails the requests waiting on this node's events up to <paramref name="upToSeqId"/>: they
    /// were committed (or are being committed), but this node will not hand them their outcome.
    /// </summary>
    void FailOwn(long upToSeqId)
    {
        ApplyFailedException? failure = null;
        foreach (var seqId in _own.Keys)
        {
            if (seqId > upToSeqId || !_own.TryRemove(seqId, out var own)) continue;
            Fail(own, failure ??= new ApplyFailedException());
        }
    }

    /// <remarks>Requests whose items were all applied already keep their answer (failing a completed request does nothing).</remarks>
    static void Fail(OwnEvent own, ApplyFailedException failure)
    {
        own.Single?.Fail(failure);
        foreach (var owner in own.Owners ?? []) owner.Fail(failure);
    }

    /// <summary>
    /// Start-up catch-up to the head of the log as it is now, before the node is ready: no request
    /// waits on an event yet (writes are refused until ready, so none is this node's own), and the
    /// replay's two stages overlap the database read and parse with the apply, one core each. The
    /// page loop then reads whatever was appended meanwhile.
    /// </summary>
    async Task CatchUpAsync(CancellationToken ct)
    {
        var started = System.Diagnostics.Stopwatch.StartNew();
        try
        {
            var stats = await replay.ReplayAsync(projection, null, _lastSeqId, long.MaxValue, ct, advance: true);
            logger.LogInformation("Caught up {Events} events ({Scores} scores) after seq_id {After} in {Ms} ms",
                stats.Events, stats.Scores, _lastSeqId, started.ElapsedMilliseconds);
            _lastSeqId = stats.LastSeqId;
        }
        finally
        {
            // On a failed read every page handed over was applied and published: resume after it.
            // (A failed apply poisons the projection instead, and the whole catch-up starts over.)
            _lastSeqId = Math.Max(_lastSeqId, projection.AdvancedSeqId);
        }
    }

    async Task<int> ReadPageAsync(CancellationToken ct)
    {
        try
        {
            return await ReadPageOnceAsync(ct);
        }
        catch
        {
            await PageQuery.DiscardAsync(); // a fresh connection for the retry
            throw;
        }
    }

    async Task<int> ReadPageOnceAsync(CancellationToken ct)
    {
        var rows = 0;
        var cmd = await PageQuery.OpenAsync(ct);
        ((NpgsqlParameter<long[]>)cmd.Parameters[0]).TypedValue = _own.Keys.ToArray();
        ((NpgsqlParameter<long>)cmd.Parameters[1]).TypedValue = _lastSeqId;
        ((NpgsqlParameter<int>)cmd.Parameters[2]).TypedValue = PageSize;
        await using var reader = await cmd.ExecuteReaderAsync(ct);
        var applied = false;
        while (await reader.ReadAsync(ct))
        {
            rows++;
            var seqId = reader.GetInt64(0);
            var type = reader.GetString(1);
            if (_own.TryRemove(seqId, out var own))
            {
                try
                {
                    Apply(seqId, own.Event, own);
                }
                catch
                {
                    Fail(own, new ApplyFailedException()); // out of _own already: FailOwn would miss it
                    throw;
                }
            }
            else if (!reader.IsDBNull(2) && Parse(type, reader.GetString(2)) is { } evt)
                Apply(seqId, evt, null);
            _lastSeqId = seqId;
            applied = true;
        }
        if (applied) projection.Advance(_lastSeqId);
        return rows;
    }

    static object? Parse(string type, string json) => type switch
    {
        EventTypeNames.ScoresSubmitted => JsonSerializer.Deserialize(json, EventJsonContext.Default.ScoresSubmitted),
        EventTypeNames.PlayerRemoved => JsonSerializer.Deserialize(json, EventJsonContext.Default.PlayerRemoved),
        EventTypeNames.BoardDefined => JsonSerializer.Deserialize(json, EventJsonContext.Default.BoardDefined),
        EventTypeNames.BoardUpdated => JsonSerializer.Deserialize(json, EventJsonContext.Default.BoardUpdated),
        _ => null,
    };

    void Apply(long seqId, object evt, OwnEvent? own)
    {
        switch (evt)
        {
            case ScoresSubmitted scores:
                projection.ApplyScores(seqId, scores, own);
                break;
            case PlayerRemoved removed:
                var removal = projection.ApplyRemoval(seqId, removed);
                (own?.Single as SingleEventWrite<RemovalResult>)?.Complete(removal);
                break;
            case BoardDefined defined:
                var definedResult = projection.ApplyBoardDefined(seqId, defined);
                (own?.Single as SingleEventWrite<BoardChangeResult>)?.Complete(definedResult);
                break;
            case BoardUpdated updated:
                var updatedResult = projection.ApplyBoardUpdated(seqId, updated);
                (own?.Single as SingleEventWrite<BoardChangeResult>)?.Complete(updatedResult);
                break;
        }
    }

    /// <summary>LISTEN on a dedicated connection so commits on other nodes wake this one at once.</summary>
    async Task ListenAsync(CancellationToken ct)
    {
        while (!ct.IsCancellationRequested)
        {
            try
            {
                await using var connection = await dataSource.OpenConnectionAsync(ct);
                connection.Notification += (_, e) => { if (e.Payload != InstanceId) Wake(); };
                await using (var listen = new NpgsqlCommand($"LISTEN {NotifyChannel}", connection))
                    await listen.ExecuteNonQueryAsync(ct);
                while (!ct.IsCancellationRequested) await connection.WaitAsync(ct);
            }
            catch (OperationCanceledException) when (ct.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e)
            {
                logger.LogWarning(e, "LISTEN connection lost; polling until it is back");
                try { await Task.Delay(TimeSpan.FromSeconds(1), ct); }
                catch (OperationCanceledException) { return; }
            }
        }
    }
}
