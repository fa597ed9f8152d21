namespace EventLeaderboard.Ranking;

/// <summary>
/// The in-memory standings of one leaderboard: player -> (score, tie position), ranked.
/// </summary>
/// <remarks>
/// <para><b>Ordering</b>: score in <see cref="SortOrder"/> (Descending: higher first), then tie position
/// ascending (reached the score first = ranks higher), then player id UTF-8 bytes (only if two tie
/// positions are equal, which the log never produces, so the order is total and deterministic).
/// Every rank is 1-based and ordinal: no two entries share a rank.</para>
/// <para><b>Structure</b>: ids once in a UTF-8 arena, an open-addressing id index, and a counted B+-tree
/// (<see cref="OrderTree"/>) whose leaves hold (key, tie, entry) inline. See docs/ranking-engine.md.</para>
/// <para><b>Concurrency guarantee</b>: one writer at a time (callers serialize <see cref="Apply"/> and
/// <see cref="Remove"/>), any number of concurrent readers. Every public read runs under the read side
/// of a <see cref="BoardLock"/> and every write under its write side, so each call observes
/// exactly the state between two writes: linearizable, never torn, never throwing because of a
/// concurrent write. A reader that returns a list has copied it: later writes do not change it.
/// The exceptions are <see cref="EnumerateInRankOrder"/> (a lazy sequence: writer thread or paused
/// writes only) and <see cref="Count"/> (a plain read of the latest count).</para>
/// </remarks>
public sealed partial class RankingBoard
{
    /// <summary>Largest metadata blob, in bytes.</summary>
    public const int MaxMetadataBytes = 1024;

    /// <summary>Largest player id, in UTF-8 bytes.</summary>
    public const int MaxPlayerIdBytes = PlayerIdCodec.MaxBytes;

    private readonly BoardLock _lock = new();
    private readonly PlayerIndex _players;
    private readonly OrderTree _tree;
    // Only players with metadata pay for it: most boards never touch this dictionary. Keyed by the id's
    // arena offset, which never changes while the player is on the board (entries move when the index grows).
    private readonly Dictionary<uint, byte[]> _metadata = [];
    private readonly bool _descending;

    /// <summary>Creates an empty board; <paramref name="initialCapacity"/> pre-sizes the id index.</summary>
    public RankingBoard(SortOrder sortOrder, UpdatePolicy updatePolicy, int initialCapacity = 0)
    {
        if (!Enum.IsDefined(sortOrder)) throw new ArgumentOutOfRangeException(nameof(sortOrder));
        if (!Enum.IsDefined(updatePolicy)) throw new ArgumentOutOfRangeException(nameof(updatePolicy));
        ArgumentOutOfRangeException.ThrowIfNegative(initialCapacity);
        SortOrder = sortOrder;
        UpdatePolicy = updatePolicy;
        _descending = sortOrder == SortOrder.Descending;
        _players = new PlayerIndex(initialCapacity);
        _tree = new OrderTree(_players);
        _players.Tree = _tree;
    }

    /// <summary>A copy of <paramref name="source"/> for <see cref="Freeze"/>; the caller holds its read lock.</summary>
    private RankingBoard(RankingBoard source)
    {
        SortOrder = source.SortOrder;
        UpdatePolicy = source.UpdatePolicy;
        _descending = source._descending;
        _players = source._players.CopyForReading();
        _tree = source._tree.CopyOver(_players);
        _players.Tree = _tree;
        // The blobs themselves are never changed in place (a new submission stores a new array).
        _metadata = new Dictionary<uint, byte[]>(source._metadata);
    }

    /// <summary>The board's sort order.</summary>
    public SortOrder SortOrder { get; }

    /// <summary>The board's update policy.</summary>
    public UpdatePolicy UpdatePolicy { get; }

    /// <summary>Number of players on the board.</summary>
    /// <remarks>Read without the lock: an int read is atomic and shows the count after the latest completed write.</remarks>
    public int Count => _tree.Count;

    // ------------------------------------------------------------------ writer side

    /// <summary>
    /// Applies a submission under <see cref="UpdatePolicy"/>. <paramref name="value"/> is the submitted
    /// score (Increment: the amount added; a new player starts from 0). <paramref name="tiePosition"/>
    /// (the event's global log position) becomes the entry's tie position only if the score changes.
    /// Non-empty <paramref name="metadata"/> replaces the entry's metadata only when the submission
    /// changes the entry (<see cref="ApplyResult.Changed"/>); empty keeps what the entry has.
    /// One writer at a time.
    /// </summary>
    /// <exception cref="ScoreOverflowException">Increment overflow; the board is unchanged.</exception>
    /// <exception cref="ArgumentException">Metadata over 1024 bytes or an invalid player id.</exception>
    public ApplyResult Apply(string playerId, long value, long tiePosition, ReadOnlySpan<byte> metadata = default)
    {
        Span<byte> buffer = stackalloc byte[PlayerIdCodec.BufferSize];
        ReadOnlySpan<byte> id = buffer[..PlayerIdCodec.Encode(playerId, buffer)];
        if (metadata.Length > MaxMetadataBytes)
            throw new ArgumentException($"Metadata is {metadata.Length} bytes; at most {MaxMetadataBytes} are allowed.", nameof(metadata));
        ulong hash = PlayerIndex.Hash(id);

        _lock.EnterWrite();
        try
        {
            if (!TryLocate(id, hash, out Located item))
            {
                // Every policy starts a new player from the submitted value (Increment: 0 + value).
                int created = _players.Add(id, hash);
                long createdRank = _tree.Insert(created, ToKey(value), tiePosition) + 1L;
                if (!metadata.IsEmpty) _metadata[_players.IdOffsetOf(created)] = metadata.ToArray();
                return new ApplyResult(value, createdRank, null, null, Changed: true, Created: true);
            }

            int entry = item.Entry, leaf = item.Leaf, position = item.Position;
            long current = ToKey(item.Key); // ToKey is its own inverse
            long previousRank = item.Rank0 + 1L;
            long next = UpdatePolicy switch
            {
                UpdatePolicy.Best => _descending ? Math.Max(current, value) : Math.Min(current, value),
                UpdatePolicy.Latest => value,
                _ => AddChecked(playerId, current, value),
            };
            if (next == current)
                return new ApplyResult(current, previousRank, previousRank, current, Changed: false, Created: false);

            long rank;
            if (_tree.TryUpdateInPlace(leaf, position, ToKey(next), tiePosition))
            {
                rank = previousRank;
            }
            else
            {
                _tree.RemoveAt(leaf, position);
                rank = _tree.Insert(entry, ToKey(next), tiePosition) + 1L;
            }
            if (!metadata.IsEmpty) _metadata[_players.IdOffsetOf(entry)] = metadata.ToArray();
            return new ApplyResult(next, rank, previousRank, current, Changed: true, Created: false);
        }
        finally
        {
            _lock.ExitWrite();
        }
    }

    /// <summary>
    /// A hint that <paramref name="playerId"/> is about to be applied: prefetches what its lookup reads,
    /// so a writer applying a batch can overlap the next items' cache misses with the current item's
    /// work (at 10M players an apply is mostly such misses). Call it with <paramref name="deep"/> false
    /// a few items ahead (the index slot), then with true closer in (the leaf and id bytes the slot
    /// names). Changes nothing, takes no lock: call it only from the thread that applies, the one
    /// thread that changes the board.
    /// </summary>
    public void PrefetchForApply(string? playerId, bool deep)
    {
        // A hint never throws: a bad id is the apply's to reject.
        if (playerId is null) return;
        Span<byte> buffer = stackalloc byte[PlayerIdCodec.BufferSize];
        if (!PlayerIdCodec.TryEncode(playerId, buffer, out int length)) return;
        _players.PrefetchLookup(PlayerIndex.Hash(buffer[..length]), deep);
    }

    /// <summary>
    /// Removes a player. Returns false if absent (then <paramref name="previousRank"/> is 0);
    /// otherwise <paramref name="previousRank"/> is the 1-based rank just before removal. One writer at a time.
    /// </summary>
    public bool Remove(string playerId, out long previousRank)
    {
        previousRank = 0;
        Span<byte> buffer = stackalloc byte[PlayerIdCodec.BufferSize];
        if (!PlayerIdCodec.TryEncode(playerId, buffer, out int length)) return false;
        ReadOnlySpan<byte> id = buffer[..length];
        ulong hash = PlayerIndex.Hash(id);

        _lock.EnterWrite();
        try
        {
            if (!TryLocate(id, hash, out Located item)) return false;
            previousRank = item.Rank0 + 1L;
            _tree.RemoveAt(item.Leaf, item.Position);
            _metadata.Remove(_players.IdOffsetOf(item.Entry));
            _players.Remove(item.Entry);
            return true;
        }
        finally
        {
            _lock.ExitWrite();
        }
    }

    // ------------------------------------------------------------------ helpers shared by the partial files

    /// <summary>A player's item: entry, leaf, position in the leaf, 0-based rank, sort key and tie.</summary>
    private struct Located
    {
        public int Entry;
        public int Leaf;
        public int Position;
        public int Rank0;
        public long Key;
        public long Tie;
    }

    /// <summary>
    /// Finds a player and its item (caller holds a lock). The tree work for a candidate (leaf scan, walk up,
    /// key and tie) runs while its id bytes are still being fetched, and the id is confirmed last: at 10M
    /// players the id and the leaf are two cache misses that would otherwise come one after the other.
    /// </summary>
    private bool TryLocate(ReadOnlySpan<byte> id, ulong hash, out Located found)
    {
        int probe = _players.FirstProbe(hash);
        for (int e; (e = _players.NextCandidate(hash, ref probe)) >= 0;)
        {
            _tree.Locate(e, out int leaf, out int position);
            found.Rank0 = _tree.PositionOf(leaf, position);
            found.Key = _tree.KeyAt(leaf, position);
            found.Tie = _tree.TieAt(leaf, position);
            found.Entry = e;
            found.Leaf = leaf;
            found.Position = position;
            if (_players.IdMatches(e, id)) return true;
        }
        found = default;
        return false;
    }

    /// <summary>Sort key: smaller is better. Bitwise NOT reverses the order without overflow and is its own inverse.</summary>
    private long ToKey(long score) => _descending ? ~score : score;

    private ReadOnlyMemory<byte> MetadataOf(int entry) =>
        _metadata.Count != 0 && _metadata.TryGetValue(_players.IdOffsetOf(entry), out byte[]? bytes) ? bytes : ReadOnlyMemory<byte>.Empty;

    private static long AddChecked(string playerId, long current, long increment)
    {
        long sum = unchecked(current + increment);
        // Overflow iff both operands have the same sign and the sum's sign differs.
        if (((current ^ sum) & (increment ^ sum)) < 0) throw new ScoreOverflowException(playerId, current, increment);
        return sum;
    }

    /// <summary>Checks the whole structure (tree, back links, index) in O(n); throws on the first violation. Tests only.</summary>
    internal void ValidateInvariants()
    {
        _lock.EnterRead();
        try
        {
            _tree.ValidateInvariants();
            if (_players.Count != _tree.Count) throw new InvalidOperationException($"index holds {_players.Count} players, tree {_tree.Count}");
            int live = 0;
            var liveIds = new HashSet<uint>();
            for (int e = 0; e < _players.SlotCount; e++)
            {
                if (!_players.IsLive(e)) continue;
                live++;
                liveIds.Add(_players.IdOffsetOf(e));
                ReadOnlySpan<byte> id = _players.IdOf(e);
                if (_players.Find(id, PlayerIndex.Hash(id)) != e) throw new InvalidOperationException($"entry {e} is not found by its id");
            }
            if (live != _tree.Count) throw new InvalidOperationException($"{live} live entries, tree holds {_tree.Count}");
            foreach (uint offset in _metadata.Keys)
            {
                if (!liveIds.Contains(offset)) throw new InvalidOperationException($"metadata kept for the removed id at offset {offset}");
            }
        }
        finally
        {
            _lock.ExitRead();
        }
    }

    /// <summary>Bytes held by the board's structures (pages, tables, arena), not counting metadata blobs.</summary>
    internal long AllocatedBytes => _players.AllocatedBytes + _tree.AllocatedBytes;

    internal int TreeHeight => _tree.Height;
}
