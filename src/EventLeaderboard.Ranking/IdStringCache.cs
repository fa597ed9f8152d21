using System.Numerics;

namespace EventLeaderboard.Ranking;

/// <summary>
/// The id strings of the best-ranked entries, so that the hottest read of a leaderboard (the top page)
/// returns the same string objects instead of decoding and allocating every id on every call.
/// </summary>
/// <remarks>
/// Keyed by arena offset: the arena is append-only, so the string for an offset never changes, even after
/// the player leaves; an entry can only be evicted, never stale. Direct-mapped and written by concurrent
/// readers: each slot holds a reference to an immutable pair, published with a release write, and a
/// reader uses it only if the offset matches, so a race costs at most a decode. Only ranks below
/// <see cref="CachedRanks"/> are put in: a random "around" page would only churn the cache.
/// Memory: at most 2048 pairs (~160 KiB with ids of 14 bytes) per board, allocated on first use.
/// </remarks>
internal sealed class IdStringCache
{
    /// <summary>Entries ranked (0-based) below this are cached.</summary>
    public const int CachedRanks = 1024;

    private const int SlotBits = 11; // twice CachedRanks: few collisions among the cached ranks

    private readonly Pair?[] _slots = new Pair?[1 << SlotBits];

    /// <summary>The id at <paramref name="offset"/>, from the cache or decoded (and cached when <paramref name="rank0"/> is a top rank).</summary>
    public string Get(IdArena arena, uint offset, int rank0)
    {
        ref Pair? slot = ref _slots[(int)((offset * 0x9E3779B1u) >> (32 - SlotBits))];
        Pair? pair = Volatile.Read(ref slot);
        if (pair is not null && pair.Offset == offset) return pair.Id;
        string id = PlayerIdCodec.Decode(arena.Get(offset));
        if (rank0 < CachedRanks) Volatile.Write(ref slot, new Pair(offset, id));
        return id;
    }

    private sealed class Pair(uint offset, string id)
    {
        public readonly uint Offset = offset;
        public readonly string Id = id;
    }
}
