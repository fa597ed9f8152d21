using EventLeaderboard.Server.Configuration;
using Microsoft.Extensions.Options;
using Npgsql;

namespace EventLeaderboard.Server.Audit;

/// <summary>
/// Boards as they were at a past instant. An instant maps to a log position through
/// mt_events.timestamp (the last seq_id stamped at or before it); the board at that seq_id is the
/// newest snapshot before it plus the events up to it. Built boards are cached per (board, seq_id)
/// in an LRU bounded by total players, so repeated questions about one instant are memory reads.
/// </summary>
public sealed class AsOfBoards(NpgsqlDataSource dataSource, IOptions<StorageOptions> storage, BoardRebuilder rebuilder, IOptions<AuditOptions> options)
{
    /// <summary>
    /// A transaction stamps its events when it starts and commits a little later, so the mapping of
    /// a very recent instant can still change; only instants older than this are cached.
    /// </summary>
    static readonly TimeSpan SettledAfter = TimeSpan.FromMinutes(1);
    const int MaxCachedInstants = 10_000;

    readonly string _schema = storage.Value.Schema;
    readonly Lock _gate = new();
    readonly Dictionary<(string, long), LinkedListNode<CacheEntry>> _boards = [];
    readonly LinkedList<CacheEntry> _lru = new();
    readonly Dictionary<DateTimeOffset, long> _instants = [];
    long _cachedPlayers;

    /// <summary>The board at <paramref name="instant"/>; its <c>Board</c> is null when it did not exist yet.</summary>
    public async Task<BuiltBoard> AtAsync(string boardId, DateTimeOffset instant, CancellationToken ct)
    {
        var seqId = await SeqIdAtAsync(instant, ct);
        Task<BuiltBoard> build;
        lock (_gate)
        {
            if (_boards.TryGetValue((boardId, seqId), out var node))
            {
                _lru.Remove(node);
                _lru.AddFirst(node);
                build = node.Value.Build;
            }
            else
            {
                // Built once however many requests ask at the same time; not tied to one request's cancellation.
                build = Task.Run(() => rebuilder.AtAsync(boardId, seqId, CancellationToken.None), CancellationToken.None);
                _boards[(boardId, seqId)] = _lru.AddFirst(new CacheEntry(boardId, seqId, build));
                _ = build.ContinueWith(t => Account(boardId, seqId, t), TaskScheduler.Default);
            }
        }
        return await build.WaitAsync(ct);
    }

    /// <summary>The last seq_id whose event was stamped at or before <paramref name="instant"/> (0: none).</summary>
    public async Task<long> SeqIdAtAsync(DateTimeOffset instant, CancellationToken ct)
    {
        lock (_gate)
            if (_instants.TryGetValue(instant, out var known)) return known;
        await using var cmd = dataSource.CreateCommand($"SELECT coalesce(max(seq_id), 0) FROM {_schema}.mt_events WHERE timestamp <= @t");
        cmd.Parameters.AddWithValue("t", instant.ToUniversalTime());
        var seqId = (long)(await cmd.ExecuteScalarAsync(ct))!;
        if (instant < DateTimeOffset.UtcNow - SettledAfter)
        {
            lock (_gate)
            {
                if (_instants.Count >= MaxCachedInstants) _instants.Clear();
                _instants[instant] = seqId;
            }
        }
        return seqId;
    }

    void Account(string boardId, long seqId, Task<BuiltBoard> build)
    {
        lock (_gate)
        {
            if (!_boards.TryGetValue((boardId, seqId), out var node)) return;
            if (build.IsFaulted || build.IsCanceled)
            {
                _boards.Remove((boardId, seqId));
                _lru.Remove(node);
                return;
            }
            node.Value.Players = Math.Max(1, build.Result.Board?.Ranking.Count ?? 0);
            _cachedPlayers += node.Value.Players;
            // Evict from the cold end, never the board just built.
            while (_cachedPlayers > options.Value.AsOfCachePlayers && _lru.Last is { } last && last != node)
            {
                _lru.RemoveLast();
                _boards.Remove((last.Value.BoardId, last.Value.SeqId));
                _cachedPlayers -= last.Value.Players;
            }
        }
    }

    sealed class CacheEntry(string boardId, long seqId, Task<BuiltBoard> build)
    {
        public string BoardId { get; } = boardId;
        public long SeqId { get; } = seqId;
        public Task<BuiltBoard> Build { get; } = build;
        public long Players { get; set; }
    }
}
