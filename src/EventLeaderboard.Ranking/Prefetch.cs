using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics.X86;

namespace EventLeaderboard.Ranking;

/// <summary>
/// Software prefetch for paths that touch random cache lines at 10M players: issuing the loads of a whole
/// batch (or of every line a node read will touch) first lets the memory system serve them in parallel.
/// A prefetch never faults, so a stale address (an array the GC moved meanwhile) only wastes the hint.
/// </summary>
internal static class Prefetch
{
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static unsafe void Read<T>(ref T location)
    {
        if (Sse.IsSupported) Sse.Prefetch0(Unsafe.AsPointer(ref location));
    }

    /// <summary>
    /// Hints every cache line of the <paramref name="length"/> bytes at <paramref name="start"/>. Nodes are not
    /// line-aligned, so one address per 64 bytes plus the last byte is what covers each line of the range.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static unsafe void Range<T>(ref T start, int length)
    {
        if (!Sse.IsSupported) return;
        byte* p = (byte*)Unsafe.AsPointer(ref start);
        for (int offset = 0; offset < length; offset += 64) Sse.Prefetch0(p + offset);
        Sse.Prefetch0(p + length - 1);
    }
}
