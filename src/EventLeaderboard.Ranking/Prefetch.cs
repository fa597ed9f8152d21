using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics.X86;

namespace EventLeaderboard.Ranking;

/// <summary>
/// Software prefetch for the bulk paths (snapshot write and restore) that touch millions of random
/// cache lines: issuing the loads of a whole batch first lets the memory system serve them in parallel.
/// A prefetch never faults, so a stale address (an array the GC moved meanwhile) only wastes the hint.
/// </summary>
internal static class Prefetch
{
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static unsafe void Read<T>(ref T location)
    {
        if (Sse.IsSupported) Sse.Prefetch0(Unsafe.AsPointer(ref location));
    }
}
