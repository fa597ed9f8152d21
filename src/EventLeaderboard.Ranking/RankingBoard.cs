using System.Text;

namespace EventLeaderboard.Ranking;

/// <summary>
/// The in-memory standings of one leaderboard. Ordering: score in <see cref="SortOrder"/>, then tie
/// position ascending, then player id (ordinal) so that the order is total even if tie positions repeat.
/// </summary>
/// <remarks>
/// Reference implementation (SortedSet + Dictionary under one lock): correct, not fast. It is replaced
/// by the order-statistic tree; the public contract stays.
/// </remarks>
public sealed class RankingBoard
{
    private const int MaxMetadataBytes = 1024;
    private const int MaxPlayerIdBytes = 128;

    private readonly object _gate = new();
    private readonly Dictionary<string, Entry> _entries;
    private readonly SortedSet<Entry> _order;

    private sealed class Entry
    {
        public required string PlayerId;
        public long Score;
        public long Tie;
        public byte[] Metadata = [];
    }

    private sealed class EntryComparer(SortOrder order) : IComparer<Entry>
    {
        public int Compare(Entry? x, Entry? y)
        {
            int c = x!.Score.CompareTo(y!.Score);
            if (order == SortOrder.Descending) c = -c;
            if (c != 0) return c;
            c = x.Tie.CompareTo(y.Tie);
            return c != 0 ? c : string.CompareOrdinal(x.PlayerId, y.PlayerId);
        }
    }

    /// <summary>Creates an empty board.</summary>
    public RankingBoard(SortOrder sortOrder, UpdatePolicy updatePolicy, int initialCapacity = 0)
    {
        if (!Enum.IsDefined(sortOrder)) throw new ArgumentOutOfRangeException(nameof(sortOrder));
        if (!Enum.IsDefined(updatePolicy)) throw new ArgumentOutOfRangeException(nameof(updatePolicy));
        ArgumentOutOfRangeException.ThrowIfNegative(initialCapacity);
        SortOrder = sortOrder;
        UpdatePolicy = updatePolicy;
        _entries = new Dictionary<string, Entry>(initialCapacity, StringComparer.Ordinal);
        _order = new SortedSet<Entry>(new EntryComparer(sortOrder));
    }

    /// <summary>The board's sort order.</summary>
    public SortOrder SortOrder { get; }

    /// <summary>The board's update policy.</summary>
    public UpdatePolicy UpdatePolicy { get; }

    /// <summary>Number of players on the board.</summary>
    public int Count { get { lock (_gate) return _entries.Count; } }

    /// <summary>
    /// Applies a submission under <see cref="UpdatePolicy"/>. <paramref name="value"/> is the submitted
    /// score (Increment: the amount added; a new player starts from 0). <paramref name="tiePosition"/>
    /// becomes the entry's tie position only if the score changes. Non-empty <paramref name="metadata"/>
    /// replaces the entry's metadata only when the submission changes the entry.
    /// </summary>
    /// <exception cref="ScoreOverflowException">Increment overflow; the board is unchanged.</exception>
    /// <exception cref="ArgumentException">Metadata over 1024 bytes or an invalid player id.</exception>
    public ApplyResult Apply(string playerId, long value, long tiePosition, ReadOnlySpan<byte> metadata = default)
    {
        ValidatePlayerId(playerId);
        if (metadata.Length > MaxMetadataBytes)
            throw new ArgumentException($"Metadata is {metadata.Length} bytes; at most {MaxMetadataBytes} are allowed.", nameof(metadata));
        lock (_gate)
        {
            if (!_entries.TryGetValue(playerId, out var e))
            {
                long initial = UpdatePolicy == UpdatePolicy.Increment ? value : value;
                e = new Entry { PlayerId = playerId, Score = initial, Tie = tiePosition, Metadata = metadata.ToArray() };
                _entries.Add(playerId, e);
                _order.Add(e);
                return new ApplyResult(e.Score, RankOf(e), null, null, true, true);
            }

            long previousRank = RankOf(e);
            long previousScore = e.Score;
            long next = UpdatePolicy switch
            {
                UpdatePolicy.Best => SortOrder == SortOrder.Descending ? Math.Max(e.Score, value) : Math.Min(e.Score, value),
                UpdatePolicy.Latest => value,
                _ => AddChecked(playerId, e.Score, value),
            };
            if (next == e.Score)
                return new ApplyResult(e.Score, previousRank, previousRank, previousScore, false, false);

            _order.Remove(e);
            e.Score = next;
            e.Tie = tiePosition;
            if (!metadata.IsEmpty) e.Metadata = metadata.ToArray();
            _order.Add(e);
            return new ApplyResult(next, RankOf(e), previousRank, previousScore, true, false);
        }
    }

    /// <summary>Removes a player. Returns false if absent; <paramref name="previousRank"/> is the 1-based rank just before removal (0 if absent).</summary>
    public bool Remove(string playerId, out long previousRank)
    {
        ArgumentNullException.ThrowIfNull(playerId);
        lock (_gate)
        {
            if (!_entries.TryGetValue(playerId, out var e)) { previousRank = 0; return false; }
            previousRank = RankOf(e);
            _order.Remove(e);
            _entries.Remove(playerId);
            return true;
        }
    }

    /// <summary>The player's entry, if on the board.</summary>
    public bool TryGet(string playerId, out RankedEntry entry)
    {
        ArgumentNullException.ThrowIfNull(playerId);
        lock (_gate)
        {
            if (!_entries.TryGetValue(playerId, out var e)) { entry = default; return false; }
            entry = ToRanked(e, RankOf(e));
            return true;
        }
    }

    /// <summary>Entries at ranks [offset+1, offset+limit] (offset = 0-based count of entries skipped). Empty past the end.</summary>
    public IReadOnlyList<RankedEntry> GetTop(long offset, int limit)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(offset);
        ArgumentOutOfRangeException.ThrowIfNegative(limit);
        lock (_gate)
        {
            var result = new List<RankedEntry>();
            long rank = 0;
            foreach (var e in _order)
            {
                rank++;
                if (rank <= offset) continue;
                if (result.Count >= limit) break;
                result.Add(ToRanked(e, rank));
            }
            return result;
        }
    }

    /// <summary>
    /// The player plus up to <paramref name="above"/> better-ranked and <paramref name="below"/> worse-ranked
    /// entries, clipped at the ends of the board (not shifted). False if the player is absent.
    /// </summary>
    public bool TryGetAround(string playerId, int above, int below, out IReadOnlyList<RankedEntry> entries)
    {
        ArgumentNullException.ThrowIfNull(playerId);
        ArgumentOutOfRangeException.ThrowIfNegative(above);
        ArgumentOutOfRangeException.ThrowIfNegative(below);
        lock (_gate)
        {
            if (!_entries.TryGetValue(playerId, out var e)) { entries = []; return false; }
            long rank = RankOf(e);
            long first = Math.Max(1, rank - above);
            long last = Math.Min(_entries.Count, rank + below);
            var result = new List<RankedEntry>();
            long r = 0;
            foreach (var x in _order)
            {
                r++;
                if (r < first) continue;
                if (r > last) break;
                result.Add(ToRanked(x, r));
            }
            entries = result;
            return true;
        }
    }

    /// <summary>
    /// Entries with <paramref name="minScore"/> &lt;= score &lt;= <paramref name="maxScore"/> (inclusive whatever the
    /// sort order), in rank order, skipping <paramref name="offset"/>, at most <paramref name="limit"/>;
    /// <paramref name="total"/> is the number of entries in the range.
    /// </summary>
    public IReadOnlyList<RankedEntry> GetByScoreRange(long minScore, long maxScore, long offset, int limit, out long total)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(offset);
        ArgumentOutOfRangeException.ThrowIfNegative(limit);
        lock (_gate)
        {
            var result = new List<RankedEntry>();
            long rank = 0, inRange = 0;
            foreach (var e in _order)
            {
                rank++;
                if (e.Score < minScore || e.Score > maxScore) continue;
                inRange++;
                if (inRange > offset && result.Count < limit) result.Add(ToRanked(e, rank));
            }
            total = inRange;
            return result;
        }
    }

    /// <summary>Number of entries with minScore &lt;= score &lt;= maxScore (inclusive).</summary>
    public long CountInScoreRange(long minScore, long maxScore)
    {
        lock (_gate)
        {
            long n = 0;
            foreach (var e in _order) if (e.Score >= minScore && e.Score <= maxScore) n++;
            return n;
        }
    }

    /// <summary>The entries of the given players that exist, in rank order; <paramref name="missing"/> lists the ids not on the board (input order, de-duplicated).</summary>
    public IReadOnlyList<RankedEntry> Lookup(IReadOnlyList<string> playerIds, out IReadOnlyList<string> missing)
    {
        ArgumentNullException.ThrowIfNull(playerIds);
        lock (_gate)
        {
            var found = new List<RankedEntry>();
            var miss = new List<string>();
            var seen = new HashSet<string>(StringComparer.Ordinal);
            foreach (var id in playerIds)
            {
                if (!seen.Add(id)) continue;
                if (_entries.TryGetValue(id, out var e)) found.Add(ToRanked(e, RankOf(e)));
                else miss.Add(id);
            }
            found.Sort((a, b) => a.Rank.CompareTo(b.Rank));
            missing = miss;
            return found;
        }
    }

    /// <summary>Writes the whole state. Must not run concurrently with the writer.</summary>
    public void WriteSnapshot(Stream destination)
    {
        ArgumentNullException.ThrowIfNull(destination);
        using var w = new BinaryWriter(destination, Encoding.UTF8, leaveOpen: true);
        lock (_gate)
        {
            w.Write(0x42524C45u); // "ELRB"
            w.Write((byte)0); // provisional format of the reference implementation
            w.Write((byte)SortOrder);
            w.Write((byte)UpdatePolicy);
            w.Write(_order.Count);
            foreach (var e in _order)
            {
                w.Write(e.PlayerId);
                w.Write(e.Score);
                w.Write(e.Tie);
                w.Write(e.Metadata.Length);
                w.Write(e.Metadata);
            }
        }
    }

    /// <summary>Restores a board written by <see cref="WriteSnapshot"/>.</summary>
    /// <exception cref="SnapshotFormatException">Corrupt, truncated or unknown-version input.</exception>
    public static RankingBoard ReadSnapshot(Stream source)
    {
        ArgumentNullException.ThrowIfNull(source);
        try
        {
            using var r = new BinaryReader(source, Encoding.UTF8, leaveOpen: true);
            if (r.ReadUInt32() != 0x42524C45u) throw new SnapshotFormatException("Not a ranking snapshot (bad magic).");
            if (r.ReadByte() != 0) throw new SnapshotFormatException("Unknown snapshot version.");
            var board = new RankingBoard((SortOrder)r.ReadByte(), (UpdatePolicy)r.ReadByte());
            int n = r.ReadInt32();
            for (int i = 0; i < n; i++)
            {
                string id = r.ReadString();
                long score = r.ReadInt64(), tie = r.ReadInt64();
                byte[] meta = r.ReadBytes(r.ReadInt32());
                var e = new Entry { PlayerId = id, Score = score, Tie = tie, Metadata = meta };
                board._entries.Add(id, e);
                board._order.Add(e);
            }
            return board;
        }
        catch (Exception ex) when (ex is EndOfStreamException or ArgumentException or IOException)
        {
            throw new SnapshotFormatException("Corrupt or truncated snapshot.", ex);
        }
    }

    /// <summary>Every entry in rank order (writer thread / paused writes only).</summary>
    public IEnumerable<RankedEntry> EnumerateInRankOrder()
    {
        List<RankedEntry> all;
        lock (_gate)
        {
            all = new List<RankedEntry>(_order.Count);
            long rank = 0;
            foreach (var e in _order) all.Add(ToRanked(e, ++rank));
        }
        return all;
    }

    /// <summary>64-bit checksum of (playerId, score, tiePosition) over all entries in rank order.</summary>
    public ulong ComputeContentChecksum()
    {
        ulong h = 14695981039346656037UL;
        foreach (var e in EnumerateInRankOrder())
        {
            foreach (byte b in Encoding.UTF8.GetBytes(e.PlayerId)) h = (h ^ b) * 1099511628211UL;
            h = (h ^ (ulong)e.Score) * 1099511628211UL;
            h = (h ^ (ulong)e.TiePosition) * 1099511628211UL;
        }
        return h;
    }

    private long RankOf(Entry e) => _order.GetViewBetween(_order.Min!, e).Count;

    private static RankedEntry ToRanked(Entry e, long rank) => new(e.PlayerId, e.Score, rank, e.Tie, e.Metadata);

    private static long AddChecked(string playerId, long current, long increment)
    {
        long sum = unchecked(current + increment);
        if (((current ^ sum) & (increment ^ sum)) < 0) throw new ScoreOverflowException(playerId, current, increment);
        return sum;
    }

    private static void ValidatePlayerId(string playerId)
    {
        ArgumentNullException.ThrowIfNull(playerId);
        if (playerId.Length == 0) throw new ArgumentException("A player id must not be empty.", nameof(playerId));
        int bytes = Encoding.UTF8.GetByteCount(playerId);
        if (bytes > MaxPlayerIdBytes) throw new ArgumentException($"A player id is at most {MaxPlayerIdBytes} UTF-8 bytes.", nameof(playerId));
    }
}
