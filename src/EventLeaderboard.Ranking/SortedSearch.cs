using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace EventLeaderboard.Ranking;

/// <summary>
/// Branch-free searches over the small sorted arrays of a node. A binary search over 64 keys costs about six
/// mispredicted branches; comparing four keys per instruction and stopping at the first vector that is not
/// all-below reads the same cache lines in order (which the hardware prefetcher follows) and does not branch
/// on data.
/// </summary>
internal static class SortedSearch
{
    /// <summary>Number of values strictly below <paramref name="key"/>; <paramref name="values"/> must be ascending.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static int CountBelow(ReadOnlySpan<long> values, long key)
    {
        int i = 0;
        if (Vector256.IsHardwareAccelerated)
        {
            ref long start = ref MemoryMarshal.GetReference(values);
            Vector256<long> k = Vector256.Create(key);
            for (; i + 4 <= values.Length; i += 4)
            {
                uint below = Vector256.LessThan(Vector256.LoadUnsafe(ref start, (nuint)i), k).ExtractMostSignificantBits();
                if (below != 0b1111) return i + BitOperations.PopCount(below);
            }
        }
        while (i < values.Length && values[i] < key) i++;
        return i;
    }

    /// <summary>Sum of <paramref name="values"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static int Sum(ReadOnlySpan<int> values)
    {
        int i = 0;
        int sum = 0;
        if (Vector256.IsHardwareAccelerated && values.Length >= 8)
        {
            ref int start = ref MemoryMarshal.GetReference(values);
            Vector256<int> acc = Vector256<int>.Zero;
            for (; i + 8 <= values.Length; i += 8) acc += Vector256.LoadUnsafe(ref start, (nuint)i);
            sum = Vector256.Sum(acc);
        }
        for (; i < values.Length; i++) sum += values[i];
        return sum;
    }
}
