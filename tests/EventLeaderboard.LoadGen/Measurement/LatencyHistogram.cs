using System.Diagnostics;
using System.Numerics;

namespace EventLeaderboard.LoadGen.Measurement;

/// <summary>
/// Log-linear latency histogram over microseconds, in the spirit of HdrHistogram, in a single <c>long[]</c>.
/// Values below 256 us are counted exactly; above, each power-of-two range [2^k, 2^(k+1)) is split into 128
/// equal buckets, so a reported percentile is at most 1/128 (0.8%) above the true value. Not thread-safe:
/// each worker records into its own and the runner merges them at the end (no contention on the hot path).
/// </summary>
public sealed class LatencyHistogram
{
    private const int SubBucketBits = 8;
    private const int SubBucketCount = 1 << SubBucketBits; // values below this are exact
    private const int HalfCount = SubBucketCount / 2;       // buckets per power of two above that

    // 2^40 us is 12.7 days: no request of a bounded run lasts that long, larger values are clamped.
    private const int MaxExponent = 40;

    private readonly long[] _counts = new long[SubBucketCount + ((MaxExponent - SubBucketBits + 1) * HalfCount)];

    /// <summary>Number of recorded values.</summary>
    public long Count { get; private set; }

    /// <summary>Largest recorded value, exact (not bucketed).</summary>
    public long MaxMicros { get; private set; }

    /// <summary>Sum of recorded values, for the mean.</summary>
    public long SumMicros { get; private set; }

    /// <summary>Records one latency in microseconds (negative values count as 0).</summary>
    public void Record(long micros)
    {
        micros = Math.Max(micros, 0);
        _counts[IndexOf(micros)]++;
        Count++;
        SumMicros += micros;
        MaxMicros = Math.Max(MaxMicros, micros);
    }

    /// <summary>Adds every count of <paramref name="other"/> into this histogram.</summary>
    public void Add(LatencyHistogram other)
    {
        for (var i = 0; i < _counts.Length; i++)
        {
            _counts[i] += other._counts[i];
        }

        Count += other.Count;
        SumMicros += other.SumMicros;
        MaxMicros = Math.Max(MaxMicros, other.MaxMicros);
    }

    /// <summary>
    /// The smallest bucket bound below which at least <paramref name="percentile"/> percent (0-100) of the values lie,
    /// reported as the bucket's highest value (never understating), capped at the exact maximum. 0 when empty.
    /// </summary>
    public long ValueAtPercentile(double percentile)
    {
        if (Count == 0)
        {
            return 0;
        }

        var target = Math.Max(1, (long)Math.Ceiling(percentile / 100.0 * Count));
        long seen = 0;
        for (var i = 0; i < _counts.Length; i++)
        {
            seen += _counts[i];
            if (seen >= target)
            {
                return Math.Min(HighestEquivalent(i), MaxMicros);
            }
        }

        return MaxMicros;
    }

    internal static int IndexOf(long micros)
    {
        if (micros < SubBucketCount)
        {
            return (int)micros;
        }

        var exponent = 63 - BitOperations.LeadingZeroCount((ulong)micros);
        if (exponent > MaxExponent)
        {
            return SubBucketCount + ((MaxExponent - SubBucketBits + 1) * HalfCount) - 1;
        }

        // Shift so that the mantissa lands in [HalfCount, SubBucketCount): the top SubBucketBits bits of the value.
        var shift = exponent - (SubBucketBits - 1);
        var mantissa = (int)(micros >> shift);
        Debug.Assert(mantissa is >= HalfCount and < SubBucketCount);
        return SubBucketCount + ((exponent - SubBucketBits) * HalfCount) + (mantissa - HalfCount);
    }

    internal static long HighestEquivalent(int index)
    {
        if (index < SubBucketCount)
        {
            return index;
        }

        var offset = index - SubBucketCount;
        var exponent = (offset / HalfCount) + SubBucketBits;
        long mantissa = (offset % HalfCount) + HalfCount;
        var shift = exponent - (SubBucketBits - 1);
        return ((mantissa + 1) << shift) - 1;
    }
}
