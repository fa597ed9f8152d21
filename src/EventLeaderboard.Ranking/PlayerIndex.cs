using System.Diagnostics;
using System.IO.Hashing;
using System.Runtime.CompilerServices;

namespace EventLeaderboard.Ranking;

/// <summary>
/// Player id -> the player's slot, an open-addressing (linear probing) table of 64-bit slots. A slot holds
/// everything a lookup needs, so the first cache miss of a rank already yields the leaf to fetch:
/// <code>
///   bits  0-31  id offset + 1 in the <see cref="IdArena"/> (0 = empty slot)
///   bits 32-57  leaf index of the player's (score, tie) item in the <see cref="OrderTree"/>
///   bits 58-63  hash tag: rejects most mismatching probes without reading the arena
/// </code>
/// The slot index is the player's <i>entry</i>: what tree leaves store to name their items. Entries move
/// only when the table changes shape (backward-shift deletion, growth), and both paths renumber the
/// tree's items through <see cref="OrderTree.ReplaceEntry"/> or the leaf chain, so an entry is stable
/// between writes. Deletion shifts the cluster back (no tombstones).
/// </summary>
/// <remarks>
/// Why not a separate row per player (id offset, leaf) as before: that row was a dependent cache miss
/// between the slot and the leaf on every rank and apply (slot -> row -> leaf). At 10M players the table
/// is 2^24 x 8 B = 13.4 B/player, less than the row (8 B) and the old 32-bit slots (6.7 B) together.
/// Limits: 2^26 - 1 players and 2^26 leaves per board, 4 GiB of ids.
/// </remarks>
internal sealed class PlayerIndex
{
    private const int LeafShift = 32;
    private const int LeafBits = 26;
    private const ulong LeafMask = ((1UL << LeafBits) - 1) << LeafShift;
    private const int TagShift = LeafShift + LeafBits;
    private const ulong OffsetMask = uint.MaxValue;

    /// <summary>Most players on one board (keeps the table under 2^27 slots and entries positive ints).</summary>
    public const int MaxEntries = (1 << 26) - 1;

    /// <summary>Largest leaf index a slot can hold.</summary>
    public const int MaxLeaf = (1 << LeafBits) - 1;

    private readonly IdArena _arena;
    private ulong[] _slots;
    private int _slotMask;
    private int _count;

    public PlayerIndex(int initialCapacity)
    {
        _arena = new IdArena();
        int slots = SlotCountFor(Math.Max(initialCapacity, 16));
        _slots = new ulong[slots];
        _slotMask = slots - 1;
    }

    private PlayerIndex(PlayerIndex source)
    {
        _arena = source._arena.ShareForReading();
        _slots = (ulong[])source._slots.Clone();
        _slotMask = source._slotMask;
        _count = source._count;
    }

    /// <summary>
    /// A read-only copy (the slots copied, the id bytes shared, see <see cref="IdArena.ShareForReading"/>):
    /// later writes to this index do not reach it. Its <see cref="Tree"/> is left for the caller to set.
    /// </summary>
    public PlayerIndex CopyForReading() => new(this);

    public int Count => _count;

    /// <summary>The tree whose leaves name players by entry (renumbered on growth and deletion, prefetched on lookups).</summary>
    public OrderTree Tree { get; set; } = null!;

    public IdArena Arena => _arena;

    /// <summary>Number of slots; every entry is below it.</summary>
    public int SlotCount => _slots.Length;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public uint IdOffsetOf(int entry) => (uint)(_slots[entry] & OffsetMask) - 1;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public int LeafOf(int entry) => (int)((_slots[entry] & LeafMask) >> LeafShift);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void SetLeaf(int entry, int leaf)
    {
        Debug.Assert((uint)leaf <= MaxLeaf);
        ref ulong slot = ref _slots[entry];
        slot = (slot & ~LeafMask) | ((ulong)(uint)leaf << LeafShift);
    }

    public ReadOnlySpan<byte> IdOf(int entry) => _arena.Get(IdOffsetOf(entry));

    public static ulong Hash(ReadOnlySpan<byte> id) => XxHash3.HashToUInt64(id);

    /// <summary>The entry of <paramref name="id"/>, or -1.</summary>
    public int Find(ReadOnlySpan<byte> id, ulong hash)
    {
        ulong tag = Tag(hash);
        ulong[] slots = _slots;
        int mask = _slotMask;
        for (int i = (int)hash & mask; ; i = (i + 1) & mask)
        {
            ulong s = slots[i];
            if (s == 0) return -1;
            if ((s & ~(OffsetMask | LeafMask)) == tag)
            {
                // Almost every tag match is the player: start fetching its leaf (every caller reads it next)
                // while the id bytes are fetched and compared; the two misses overlap.
                Tree.PrefetchLeaf((int)((s & LeafMask) >> LeafShift));
                if (_arena.Get((uint)(s & OffsetMask) - 1).SequenceEqual(id)) return i;
            }
        }
    }

    /// <summary>Where the probe sequence of <paramref name="hash"/> starts (pass to <see cref="NextCandidate"/>).</summary>
    public int FirstProbe(ulong hash) => (int)hash & _slotMask;

    /// <summary>
    /// The next entry from probe position <paramref name="probe"/> on whose hash tag matches, or -1 when the
    /// sequence ends at an empty slot (the id is absent). Starts fetching the candidate's id bytes and leaf
    /// without waiting for either: the caller does its tree work for the candidate while the id is on its
    /// way, and confirms with <see cref="IdMatches"/> at the end. A false candidate (1 probe in 64) only
    /// costs that work once more.
    /// </summary>
    public int NextCandidate(ulong hash, ref int probe)
    {
        ulong tag = Tag(hash);
        ulong[] slots = _slots;
        int mask = _slotMask;
        for (int i = probe; ; i = (i + 1) & mask)
        {
            ulong s = slots[i];
            if (s == 0) return -1;
            if ((s & ~(OffsetMask | LeafMask)) == tag)
            {
                _arena.PrefetchId((uint)(s & OffsetMask) - 1);
                Tree.PrefetchLeaf((int)((s & LeafMask) >> LeafShift));
                probe = (i + 1) & mask;
                return i;
            }
        }
    }

    /// <summary>True when <paramref name="entry"/> holds <paramref name="id"/>.</summary>
    public bool IdMatches(int entry, ReadOnlySpan<byte> id) => IdOf(entry).SequenceEqual(id);

    /// <summary>Adds an id that is not present; returns its entry (leaf left for the tree to set).</summary>
    public int Add(ReadOnlySpan<byte> id, ulong hash)
    {
        if (_count >= MaxEntries) throw new InvalidOperationException($"A board holds at most {MaxEntries} players.");
        if ((_count + 1) > (_slots.Length >> 2) * 3) Grow();
        int mask = _slotMask;
        int i = (int)hash & mask;
        while (_slots[i] != 0) i = (i + 1) & mask;
        _slots[i] = Tag(hash) | (_arena.Append(id) + 1UL);
        _count++;
        return i;
    }

    /// <summary>Adds <paramref name="id"/> unless present, in one probe sequence (bulk restore); -1 when present.</summary>
    public int TryAdd(ReadOnlySpan<byte> id, ulong hash)
    {
        if (_count >= MaxEntries) throw new InvalidOperationException($"A board holds at most {MaxEntries} players.");
        if ((_count + 1) > (_slots.Length >> 2) * 3) Grow();
        ulong tag = Tag(hash);
        int mask = _slotMask;
        int i = (int)hash & mask;
        for (ulong s; (s = _slots[i]) != 0; i = (i + 1) & mask)
        {
            if ((s & ~(OffsetMask | LeafMask)) == tag && _arena.Get((uint)(s & OffsetMask) - 1).SequenceEqual(id)) return -1;
        }
        _slots[i] = tag | (_arena.Append(id) + 1UL);
        _count++;
        return i;
    }

    /// <summary>
    /// Removes a live entry whose item the tree no longer holds (its id bytes stay in the arena until the
    /// next compaction). Entries of the cluster that shift back are renumbered in their leaves.
    /// </summary>
    public void Remove(int entry)
    {
        int mask = _slotMask;
        int i = entry;
        // Backward-shift deletion: pull later members of the cluster into the hole when their home
        // slot allows it, so that probes never stop early at a hole (no tombstones needed).
        int j = i;
        while (true)
        {
            j = (j + 1) & mask;
            ulong s = _slots[j];
            if (s == 0) break;
            int home = (int)Hash(_arena.Get((uint)(s & OffsetMask) - 1)) & mask;
            bool movable = j > i ? (home <= i || home > j) : (home <= i && home > j);
            if (movable)
            {
                _slots[i] = s;
                Tree.ReplaceEntry((int)((s & LeafMask) >> LeafShift), j, i);
                i = j;
            }
        }
        _slots[i] = 0;
        _count--;
    }

    /// <summary>True when the slot holds a player.</summary>
    public bool IsLive(int entry) => entry >= 0 && entry < _slots.Length && _slots[entry] != 0;

    /// <summary>Hints the CPU to fetch the probe slot of <paramref name="hash"/> (bulk restore).</summary>
    public void PrefetchSlot(ulong hash) => Prefetch.Read(ref _slots[(int)hash & _slotMask]);

    /// <summary>
    /// Hints the CPU to fetch what a lookup of <paramref name="hash"/> will read: its probe slot; with
    /// <paramref name="deep"/>, instead the id bytes and leaf of the first candidate whose tag matches,
    /// read from slots an earlier shallow hint should have brought in (at most a few probes; it stops at
    /// an empty slot). Writer thread only: it reads the table without a lock, which only the writer changes.
    /// </summary>
    public void PrefetchLookup(ulong hash, bool deep)
    {
        ulong[] slots = _slots;
        int mask = _slotMask;
        int i = (int)hash & mask;
        if (!deep)
        {
            Prefetch.Read(ref slots[i]);
            return;
        }
        ulong tag = Tag(hash);
        for (int probes = 0; probes < 4; probes++, i = (i + 1) & mask)
        {
            ulong s = slots[i];
            if (s == 0) return;
            if ((s & ~(OffsetMask | LeafMask)) == tag)
            {
                _arena.PrefetchId((uint)(s & OffsetMask) - 1);
                Tree.PrefetchLeaf((int)((s & LeafMask) >> LeafShift));
                return;
            }
        }
    }

    /// <summary>Hints the CPU to fetch an entry's slot (bulk reads).</summary>
    public void PrefetchEntry(int entry) => Prefetch.Read(ref _slots[entry]);

    /// <summary>Bytes held: slot table and id arena.</summary>
    public long AllocatedBytes => (long)_slots.Length * sizeof(ulong) + _arena.AllocatedBytes;

    private void Grow()
    {
        // Every entry changes, and the tree names its items by entry: rehash by walking the leaf chain and
        // write each item's new entry in place. Every player in the table is in the tree at this point
        // (Add and TryAdd grow before taking a slot, and the caller inserts right after). Per leaf, the old
        // slots and then the ids are prefetched first, so their random reads overlap.
        ulong[] old = _slots;
        _slots = new ulong[old.Length * 2];
        _slotMask = _slots.Length - 1;
        int moved = 0;
        for (int leaf = Tree.FirstLeaf; leaf >= 0; leaf = Tree.NextLeaf(leaf))
        {
            ref LeafNode node = ref Tree.LeafAt(leaf);
            Span<int> entries = ((Span<int>)node.Entries)[..node.Count];
            foreach (int e in entries) Prefetch.Read(ref old[e]);
            foreach (int e in entries) _arena.PrefetchId((uint)(old[e] & OffsetMask) - 1);
            for (int k = 0; k < entries.Length; k++)
            {
                ulong s = old[entries[k]];
                int i = (int)Hash(_arena.Get((uint)(s & OffsetMask) - 1)) & _slotMask;
                while (_slots[i] != 0) i = (i + 1) & _slotMask;
                _slots[i] = s;
                entries[k] = i;
            }
            moved += entries.Length;
        }
        if (moved != _count) throw new InvalidOperationException($"index growth found {moved} players in the tree, the index holds {_count}");
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static ulong Tag(ulong hash) => (hash >> TagShift) << TagShift;

    private static int SlotCountFor(int capacity)
    {
        // Load factor at most 3/4 keeps linear-probing clusters short.
        long needed = (long)capacity * 4 / 3 + 1;
        return (int)Math.Max(16, System.Numerics.BitOperations.RoundUpToPowerOf2((ulong)needed));
    }
}
