using EventLeaderboard.Server.Configuration;
using Microsoft.Extensions.Options;
using Npgsql;

namespace EventLeaderboard.Server.Audit;

/// <summary>
/// Boards as they were at a past instant. An instant maps to a log position through
/// mt_events.timestamp (the last seq_id stamped at or before it); the board at that seq_id is the
/// newest snapshot before it plus the events up to it.
/// </summary>
/// <remarks>
/// Only settled instants are cached: older than <see cref="AuditOptions.AsOfSettledSeconds"/> by
/// PostgreSQL's clock (the clock that stamps the events, so a node whose clock runs ahead cannot
/// settle an instant early). A transaction stamps its events when it starts and commits a little
/// later, so for a more recent instant, and for any instant in the future of the log, the same
/// question may get a later answer: such an instant is mapped afresh on every request and its
/// board is shared only by the requests that wait for the same build, then dropped. Settled boards
/// are kept per (board, seq_id) in an LRU bounded by total players, by count, and by idle time
/// (checked whenever the cache is used), so repeated questions about one instant are memory reads.
/// </remarks>
public sealed class AsOfBoards(NpgsqlDataSource dataSource, IOptions<StorageOptions> storage, BoardRebuilder rebuilder, IOptions<AuditOptions> options)
{
    const int MaxCachedInstants = 10_000;

    readonly string _schema = storage.Value.Schema;
    readonly AuditOptions _options = options.Value;
    readonly Lock _gate = new();
    readonly Dictionary<(string, long), LinkedListNode<CacheEntry>> _boards = [];
    readonly LinkedList<CacheEntry> _lru = new();
    readonly Dictionary<DateTimeOffset, long> _instants = [];
    long _cachedPlayers;

    /// <summary>Boards held (built or being built); for tests and diagnostics.</summary>
    public int CachedBoards
    {
        get { lock (_gate) return _boards.Count; }
    }

    /// <summary>The board at <paramref name="instant"/>; its <c>Board</c> is null when it did not exist yet.</summary>
    public async Task<BuiltBoard> AtAsync(string boardId, DateTimeOffset instant, CancellationToken ct)
    {
        var (seqId, settled) = await SeqIdAtAsync(instant, ct);
        Task<BuiltBoard> build;
        lock (_gate)
        {
            EvictIdle(DateTime.UtcNow);
            if (_boards.TryGetValue((boardId, seqId), out var node))
            {
                _lru.Remove(node);
                _lru.AddFirst(node);
                node.Value.LastUsed = DateTime.UtcNow;
                build = node.Value.Build;
            }
            else
            {
                var entry = new CacheEntry(boardId, seqId);
                _boards[(boardId, seqId)] = _lru.AddFirst(entry);
                // Built once however many requests ask at the same time; not tied to one request's
                // cancellation. The accounting runs inside the build, so it is done before anyone sees the board.
                build = entry.Build = Task.Run(() => BuildAsync(entry, settled), CancellationToken.None);
            }
        }
        return await build.WaitAsync(ct);
    }

    async Task<BuiltBoard> BuildAsync(CacheEntry entry, bool keep)
    {
        try
        {
            var built = await rebuilder.AtAsync(entry.BoardId, entry.SeqId, CancellationToken.None);
            Account(entry, keep ? Math.Max(1, built.Board?.Ranking.Count ?? 0) : 0);
            return built;
        }
        catch
        {
            Account(entry, 0);
            throw;
        }
    }

    /// <summary>The last seq_id stamped at or before <paramref name="instant"/> (0: none), and whether that can no longer change.</summary>
    public async Task<(long SeqId, bool Settled)> SeqIdAtAsync(DateTimeOffset instant, CancellationToken ct)
    {
        lock (_gate)
            if (_instants.TryGetValue(instant, out var known)) return (known, true);
        await using var cmd = dataSource.CreateCommand(
            $"SELECT coalesce(max(seq_id), 0), @t < now() - make_interval(secs => @settle) FROM {_schema}.mt_events WHERE timestamp <= @t");
        cmd.Parameters.AddWithValue("t", instant.ToUniversalTime());
        cmd.Parameters.AddWithValue("settle", (double)_options.AsOfSettledSeconds);
        await using var reader = await cmd.ExecuteReaderAsync(ct);
        await reader.ReadAsync(ct);
        var (seqId, settled) = (reader.GetInt64(0), reader.GetBoolean(1));
        if (settled)
        {
            lock (_gate)
            {
                if (_instants.Count >= MaxCachedInstants) _instants.Clear();
                _instants[instant] = seqId;
            }
        }
        return (seqId, settled);
    }

    /// <summary>Records a finished build: kept with its size, or (players 0: failed or unsettled) forgotten.</summary>
    void Account(CacheEntry entry, long players)
    {
        lock (_gate)
        {
            if (!_boards.TryGetValue((entry.BoardId, entry.SeqId), out var node) || node.Value != entry) return;
            if (players == 0)
            {
                _boards.Remove((entry.BoardId, entry.SeqId));
                _lru.Remove(node);
                return;
            }
            entry.Players = players;
            entry.LastUsed = DateTime.UtcNow;
            _cachedPlayers += players;
            // Evict from the cold end, never the board just built; entries still building have no
            // size yet and are evicted like the others (their requests still get the board).
            while ((_cachedPlayers > _options.AsOfCachePlayers || _boards.Count > _options.AsOfCacheBoards) && _lru.Last is { } last && last != node)
                Evict(last);
        }
    }

    /// <summary>Drops boards nobody asked for within the idle time (lock held).</summary>
    void EvictIdle(DateTime now)
    {
        var idle = TimeSpan.FromSeconds(_options.AsOfCacheIdleSeconds);
        while (_lru.Last is { } last && last.Value.Players > 0 && now - last.Value.LastUsed > idle) Evict(last);
    }

    void Evict(LinkedListNode<CacheEntry> node)
    {
        _lru.Remove(node);
        _boards.Remove((node.Value.BoardId, node.Value.SeqId));
        _cachedPlayers -= node.Value.Players;
    }

    sealed class CacheEntry(string boardId, long seqId)
    {
        public string BoardId { get; } = boardId;
        public long SeqId { get; } = seqId;
        public Task<BuiltBoard> Build { get; set; } = null!;
        public long Players { get; set; }
        public DateTime LastUsed { get; set; } = DateTime.UtcNow;
    }
}
