namespace EventLeaderboard.Ranking;

public sealed partial class RankingBoard
{
    /// <summary>The player's entry (1-based rank), if the player is on the board. Safe concurrently with the writer.</summary>
    public bool TryGet(string playerId, out RankedEntry entry)
    {
        entry = default;
        Span<byte> buffer = stackalloc byte[PlayerIdCodec.BufferSize];
        if (!PlayerIdCodec.TryEncode(playerId, buffer, out int length)) return false;
        ReadOnlySpan<byte> id = buffer[..length];
        ulong hash = PlayerIndex.Hash(id);

        _lock.EnterRead();
        try
        {
            if (!TryLocate(id, hash, out Located item)) return false;
            entry = new RankedEntry(playerId, ToKey(item.Key), item.Rank0 + 1L, item.Tie, MetadataOf(item.Entry));
            return true;
        }
        finally
        {
            _lock.ExitRead();
        }
    }

    /// <summary>
    /// Entries at ranks [offset+1, offset+limit] (<paramref name="offset"/> is the 0-based count of entries
    /// skipped). Empty past the end; shorter when the board ends first.
    /// </summary>
    public IReadOnlyList<RankedEntry> GetTop(long offset, int limit)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(offset);
        ArgumentOutOfRangeException.ThrowIfNegative(limit);
        _lock.EnterRead();
        try
        {
            int count = _tree.Count;
            if (offset >= count || limit == 0) return [];
            int take = (int)Math.Min(limit, count - offset);
            return Collect((int)offset, take, -1, null);
        }
        finally
        {
            _lock.ExitRead();
        }
    }

    /// <summary>
    /// The player plus up to <paramref name="above"/> better-ranked and <paramref name="below"/> worse-ranked
    /// entries, in rank order, clipped at the ends of the board (not shifted). False if the player is absent.
    /// </summary>
    public bool TryGetAround(string playerId, int above, int below, out IReadOnlyList<RankedEntry> entries)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(above);
        ArgumentOutOfRangeException.ThrowIfNegative(below);
        entries = [];
        Span<byte> buffer = stackalloc byte[PlayerIdCodec.BufferSize];
        if (!PlayerIdCodec.TryEncode(playerId, buffer, out int length)) return false;
        ReadOnlySpan<byte> id = buffer[..length];
        ulong hash = PlayerIndex.Hash(id);

        _lock.EnterRead();
        try
        {
            if (!TryLocate(id, hash, out Located item)) return false;
            int rank0 = item.Rank0;
            int e = item.Entry;
            int first = (int)Math.Max(0L, (long)rank0 - above);
            int last = (int)Math.Min(_tree.Count - 1L, (long)rank0 + below);
            // Start from the player's own leaf and step back: no second descent from the root.
            int leaf = item.Leaf, position = item.Position;
            _tree.StepBack(ref leaf, ref position, rank0 - first);
            entries = Collect(first, last - first + 1, leaf, position, e, playerId);
            return true;
        }
        finally
        {
            _lock.ExitRead();
        }
    }

    /// <summary>
    /// Entries with <paramref name="minScore"/> &lt;= score &lt;= <paramref name="maxScore"/> (inclusive bounds
    /// whatever the sort order), in rank order, skipping <paramref name="offset"/> of them, at most
    /// <paramref name="limit"/>. <paramref name="total"/> is the number of entries in the range. An empty
    /// range (min &gt; max) gives none.
    /// </summary>
    public IReadOnlyList<RankedEntry> GetByScoreRange(long minScore, long maxScore, long offset, int limit, out long total)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(offset);
        ArgumentOutOfRangeException.ThrowIfNegative(limit);
        _lock.EnterRead();
        try
        {
            (int start, int end) = RankSpanOfScores(minScore, maxScore);
            total = end - start;
            if (offset >= total || limit == 0) return [];
            int take = (int)Math.Min(limit, total - offset);
            return Collect(start + (int)offset, take, -1, null);
        }
        finally
        {
            _lock.ExitRead();
        }
    }

    /// <summary>Number of entries with <paramref name="minScore"/> &lt;= score &lt;= <paramref name="maxScore"/> (inclusive); 0 when min &gt; max.</summary>
    public long CountInScoreRange(long minScore, long maxScore)
    {
        _lock.EnterRead();
        try
        {
            (int start, int end) = RankSpanOfScores(minScore, maxScore);
            return end - start;
        }
        finally
        {
            _lock.ExitRead();
        }
    }

    /// <summary>
    /// The entries of the given players that are on the board, in rank order. <paramref name="missing"/>:
    /// the ids not on the board, in input order, de-duplicated. Repeated ids are returned once.
    /// </summary>
    public IReadOnlyList<RankedEntry> Lookup(IReadOnlyList<string> playerIds, out IReadOnlyList<string> missing)
    {
        ArgumentNullException.ThrowIfNull(playerIds);
        var seen = new HashSet<string>(playerIds.Count, StringComparer.Ordinal);
        var found = new List<RankedEntry>(playerIds.Count);
        var absent = new List<string>();
        Span<byte> buffer = stackalloc byte[PlayerIdCodec.BufferSize];
        _lock.EnterRead();
        try
        {
            foreach (string playerId in playerIds)
            {
                if (!seen.Add(playerId)) continue;
                if (!PlayerIdCodec.TryEncode(playerId, buffer, out int length))
                {
                    absent.Add(playerId);
                    continue;
                }
                ReadOnlySpan<byte> id = buffer[..length];
                if (!TryLocate(id, PlayerIndex.Hash(id), out Located item))
                {
                    absent.Add(playerId);
                    continue;
                }
                found.Add(new RankedEntry(playerId, ToKey(item.Key), item.Rank0 + 1L, item.Tie, MetadataOf(item.Entry)));
            }
        }
        finally
        {
            _lock.ExitRead();
        }
        found.Sort(static (a, b) => a.Rank.CompareTo(b.Rank));
        missing = absent;
        return found;
    }

    /// <summary>
    /// 0-based [start, end) positions of the entries whose score is in [min, max]. In key space the range
    /// is [ToKey(min), ToKey(max)] ascending, or [ToKey(max), ToKey(min)] for a descending board.
    /// </summary>
    private (int Start, int End) RankSpanOfScores(long minScore, long maxScore)
    {
        if (minScore > maxScore) return (0, 0);
        long low = _descending ? ~maxScore : minScore;
        long high = _descending ? ~minScore : maxScore;
        if (high == long.MaxValue) return (_tree.CountKeysBelow(low), _tree.Count);
        _tree.CountKeysBelow(low, high + 1, out int start, out int end);
        return (start, end);
    }

    /// <summary>Copies <paramref name="take"/> entries from 0-based position <paramref name="first"/> on (caller holds the lock).</summary>
    /// <remarks>
    /// Neighbours in rank order are unrelated in memory (id slots are placed by hash, ids in arrival
    /// order), so each returned entry costs two cache misses. Three passes let them overlap: copy the
    /// items and prefetch their slots, then read the id offsets and prefetch the ids, then decode (or take
    /// the string from <see cref="IdStringCache"/> for the top ranks).
    /// </remarks>
    private List<RankedEntry> Collect(int first, int take, int knownEntry, string? knownId)
    {
        _tree.Select(first, out int leaf, out int position);
        return Collect(first, take, leaf, position, knownEntry, knownId);
    }

    /// <summary>As above, from the item at (<paramref name="leaf"/>, <paramref name="position"/>), which is at 0-based <paramref name="first"/>.</summary>
    private List<RankedEntry> Collect(int first, int take, int leaf, int position, int knownEntry, string? knownId)
    {
        var result = new List<RankedEntry>(take);
        CollectedItem[] items = System.Buffers.ArrayPool<CollectedItem>.Shared.Rent(take);
        try
        {
            ref LeafNode node = ref _tree.LeafAt(leaf);
            for (int i = 0; i < take; i++)
            {
                if (position == node.Count)
                {
                    node = ref _tree.LeafAt(node.Next);
                    position = 0;
                }
                int e = node.Entries[position];
                items[i] = new CollectedItem { Entry = e, Key = node.Keys[position], Tie = node.Ties[position] };
                _players.PrefetchEntry(e);
                position++;
            }
            for (int i = 0; i < take; i++)
            {
                items[i].IdOffset = _players.IdOffsetOf(items[i].Entry);
                _players.Arena.PrefetchId(items[i].IdOffset);
            }
            long rank = first + 1L;
            for (int i = 0; i < take; i++)
            {
                ref CollectedItem item = ref items[i];
                // Allocate a string only for returned entries; reuse the caller's when it is the same player.
                string id = item.Entry == knownEntry && knownId is not null ? knownId
                    : first + i < IdStringCache.CachedRanks ? IdCache.Get(_players.Arena, item.IdOffset, first + i)
                    : PlayerIdCodec.Decode(_players.Arena.Get(item.IdOffset));
                result.Add(new RankedEntry(id, ToKey(item.Key), rank++, item.Tie, MetadataOf(item.Entry)));
            }
        }
        finally
        {
            System.Buffers.ArrayPool<CollectedItem>.Shared.Return(items);
        }
        return result;
    }

    private IdStringCache IdCache
    {
        get
        {
            // Readers race to create it; any one instance wins and the others are dropped.
            IdStringCache? cache = Volatile.Read(ref _idCache);
            return cache ?? Interlocked.CompareExchange(ref _idCache, new IdStringCache(), null) ?? _idCache;
        }
    }

    private IdStringCache? _idCache;

    private struct CollectedItem
    {
        public int Entry;
        public uint IdOffset;
        public long Key;
        public long Tie;
    }
}
