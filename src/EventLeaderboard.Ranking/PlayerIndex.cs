using System.Diagnostics;
using System.IO.Hashing;
using System.Runtime.CompilerServices;

namespace EventLeaderboard.Ranking;

/// <summary>One player's row: where its id lives and which tree leaf holds its (score, tie) item.</summary>
/// <remarks>8 bytes per player. A free row has <see cref="Leaf"/> &lt; 0 and threads the free list through it.</remarks>
internal struct PlayerEntry
{
    public uint IdOffset;
    public int Leaf;
}

/// <summary>
/// Player id -> entry index. Ids live once in an <see cref="IdArena"/>; entries in a paged array of
/// <see cref="PlayerEntry"/>; the lookup is an open-addressing (linear probing) table of 32-bit slots:
/// low 26 bits = entry index + 1 (0 = empty), high 6 bits = a hash tag, so most mismatching probes are
/// rejected without reading the arena. Deletion shifts the cluster back (no tombstones).
/// </summary>
/// <remarks>Limits: 2^26 - 1 entries (67M players per board), 4 GiB of ids.</remarks>
internal sealed class PlayerIndex
{
    private const int IndexBits = 26;
    private const uint IndexMask = (1u << IndexBits) - 1;
    public const int MaxEntries = (int)IndexMask - 1;
    private const int EntryPageShift = 16; // 64K entries (512 KiB) per page

    private readonly IdArena _arena = new();
    private readonly ChunkedArray<PlayerEntry> _entries = new(EntryPageShift);
    private uint[] _slots;
    private int _slotMask;
    private int _count;
    private int _highWater; // entries ever handed out: [0, _highWater) are live or free
    private int _freeHead = -1;

    public PlayerIndex(int initialCapacity)
    {
        int slots = SlotCountFor(Math.Max(initialCapacity, 16));
        _slots = new uint[slots];
        _slotMask = slots - 1;
        _entries.EnsureCapacity(Math.Max(initialCapacity, 1));
    }

    public int Count => _count;

    /// <summary>The tree whose leaves the entries point to (for prefetching on lookups).</summary>
    public OrderTree? Tree { get; set; }

    /// <summary>Entries ever handed out; every live entry index is below it.</summary>
    public int HighWater => _highWater;

    public IdArena Arena => _arena;

    public ref PlayerEntry this[int entry] => ref _entries[entry];

    public ReadOnlySpan<byte> IdOf(int entry) => _arena.Get(_entries[entry].IdOffset);

    public static ulong Hash(ReadOnlySpan<byte> id) => XxHash3.HashToUInt64(id);

    /// <summary>The entry index of <paramref name="id"/>, or -1.</summary>
    public int Find(ReadOnlySpan<byte> id, ulong hash)
    {
        uint tag = Tag(hash);
        uint[] slots = _slots;
        int mask = _slotMask;
        for (int i = (int)hash & mask; ; i = (i + 1) & mask)
        {
            uint s = slots[i];
            if (s == 0) return -1;
            if ((s & ~IndexMask) == tag)
            {
                int entry = (int)(s & IndexMask) - 1;
                ref PlayerEntry row = ref _entries[entry];
                // Almost every tag match is the player: start fetching its leaf (every caller reads it
                // next) while the id bytes are compared.
                Tree?.PrefetchLeaf(row.Leaf);
                if (_arena.Get(row.IdOffset).SequenceEqual(id)) return entry;
            }
        }
    }

    /// <summary>Adds an id that is not present; returns its new entry index (Leaf left for the tree to set).</summary>
    public int Add(ReadOnlySpan<byte> id, ulong hash)
    {
        if (_count >= MaxEntries) throw new InvalidOperationException($"A board holds at most {MaxEntries} players.");
        if ((_count + 1) > (_slots.Length >> 2) * 3) Grow();
        int entry = AllocateEntry();
        _entries[entry].IdOffset = _arena.Append(id);
        _entries[entry].Leaf = 0;
        Place(hash, entry);
        _count++;
        return entry;
    }

    /// <summary>Adds <paramref name="id"/> unless present, in one probe sequence (bulk restore); -1 when present.</summary>
    public int TryAdd(ReadOnlySpan<byte> id, ulong hash)
    {
        if (_count >= MaxEntries) throw new InvalidOperationException($"A board holds at most {MaxEntries} players.");
        if ((_count + 1) > (_slots.Length >> 2) * 3) Grow();
        uint tag = Tag(hash);
        int mask = _slotMask;
        int i = (int)hash & mask;
        for (uint s; (s = _slots[i]) != 0; i = (i + 1) & mask)
        {
            if ((s & ~IndexMask) == tag && _arena.Get(_entries[(int)(s & IndexMask) - 1].IdOffset).SequenceEqual(id)) return -1;
        }
        int entry = AllocateEntry();
        _entries[entry].IdOffset = _arena.Append(id);
        _entries[entry].Leaf = 0;
        _slots[i] = tag | (uint)(entry + 1);
        _count++;
        return entry;
    }

    /// <summary>Removes a live entry (its id bytes stay in the arena until the next compaction).</summary>
    public void Remove(int entry)
    {
        ulong hash = Hash(IdOf(entry));
        uint expected = Tag(hash) | (uint)(entry + 1);
        int mask = _slotMask;
        int i = (int)hash & mask;
        while (_slots[i] != expected)
        {
            Debug.Assert(_slots[i] != 0, "a live entry is always in the table");
            i = (i + 1) & mask;
        }
        // Backward-shift deletion: pull later members of the cluster into the hole when their home
        // slot allows it, so that probes never stop early at a hole (no tombstones needed).
        int j = i;
        while (true)
        {
            j = (j + 1) & mask;
            uint s = _slots[j];
            if (s == 0) break;
            int home = (int)Hash(IdOf((int)(s & IndexMask) - 1)) & mask;
            bool movable = j > i ? (home <= i || home > j) : (home <= i && home > j);
            if (movable)
            {
                _slots[i] = s;
                i = j;
            }
        }
        _slots[i] = 0;
        _count--;
        _entries[entry].Leaf = -2 - _freeHead;
        _freeHead = entry;
    }

    /// <summary>True when the entry is live (not on the free list).</summary>
    public bool IsLive(int entry) => entry >= 0 && entry < _highWater && _entries[entry].Leaf >= 0;

    /// <summary>Hints the CPU to fetch the probe slot of <paramref name="hash"/> (bulk restore).</summary>
    public void PrefetchSlot(ulong hash) => Prefetch.Read(ref _slots[(int)hash & _slotMask]);

    /// <summary>Hints the CPU to fetch an entry row (bulk snapshot write).</summary>
    public void PrefetchEntry(int entry) => Prefetch.Read(ref _entries[entry]);

    /// <summary>Bytes held: slot table, entry pages and id arena.</summary>
    public long AllocatedBytes => (long)_slots.Length * sizeof(uint) + _entries.AllocatedBytes + _arena.AllocatedBytes;

    /// <summary>Number of slots in the probe table.</summary>
    public int SlotCount => _slots.Length;

    private int AllocateEntry()
    {
        if (_freeHead >= 0)
        {
            int e = _freeHead;
            _freeHead = -2 - _entries[e].Leaf;
            return e;
        }
        _entries.EnsureCapacity(_highWater + 1);
        return _highWater++;
    }

    private void Place(ulong hash, int entry)
    {
        uint value = Tag(hash) | (uint)(entry + 1);
        int mask = _slotMask;
        int i = (int)hash & mask;
        while (_slots[i] != 0) i = (i + 1) & mask;
        _slots[i] = value;
    }

    private void Grow()
    {
        // Rehash by walking entries in index order: ids were appended in roughly that order, so the
        // arena is read sequentially instead of once per random slot.
        _slots = new uint[_slots.Length * 2];
        _slotMask = _slots.Length - 1;
        for (int e = 0; e < _highWater; e++)
        {
            if (_entries[e].Leaf < 0) continue;
            Place(Hash(IdOf(e)), e);
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static uint Tag(ulong hash) => (uint)(hash >> 58) << IndexBits;

    private static int SlotCountFor(int capacity)
    {
        // Load factor at most 3/4 keeps linear-probing clusters short.
        long needed = (long)capacity * 4 / 3 + 1;
        return (int)Math.Max(16, System.Numerics.BitOperations.RoundUpToPowerOf2((ulong)needed));
    }
}
