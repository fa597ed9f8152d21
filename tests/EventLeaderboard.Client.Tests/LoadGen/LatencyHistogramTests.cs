using EventLeaderboard.LoadGen.Measurement;

namespace EventLeaderboard.Client.Tests.LoadGen;

public sealed class LatencyHistogramTests
{
    [Fact]
    public void percentiles_match_a_sorted_reference_within_the_bucket_width()
    {
        // Seeded, heavy-tailed latencies from 1 us to ~10 s, like a real run with stalls.
        var random = new Random(12345);
        var values = Enumerable.Range(0, 100_000).Select(_ => (long)Math.Exp(random.NextDouble() * 16)).ToArray();
        var histogram = new LatencyHistogram();
        foreach (var value in values)
        {
            histogram.Record(value);
        }

        Array.Sort(values);
        foreach (var percentile in new[] { 0.1, 50, 90, 99, 99.9, 100 })
        {
            var exact = values[(int)Math.Ceiling(percentile / 100 * values.Length) - 1];
            var reported = histogram.ValueAtPercentile(percentile);
            Assert.InRange(reported, exact, exact + Math.Max(0, (long)(exact / 128.0)));
        }

        Assert.Equal(values[^1], histogram.MaxMicros);
        Assert.Equal(values.Length, histogram.Count);
    }

    [Fact]
    public void merging_worker_histograms_equals_recording_everything_in_one()
    {
        var random = new Random(7);
        var whole = new LatencyHistogram();
        var parts = new[] { new LatencyHistogram(), new LatencyHistogram(), new LatencyHistogram() };
        for (var i = 0; i < 30_000; i++)
        {
            var value = random.NextInt64(1, 5_000_000);
            whole.Record(value);
            parts[i % 3].Record(value);
        }

        var merged = new LatencyHistogram();
        foreach (var part in parts)
        {
            merged.Add(part);
        }

        Assert.Equal((whole.Count, whole.SumMicros, whole.MaxMicros), (merged.Count, merged.SumMicros, merged.MaxMicros));
        foreach (var percentile in new[] { 50, 99, 99.9 })
        {
            Assert.Equal(whole.ValueAtPercentile(percentile), merged.ValueAtPercentile(percentile));
        }
    }

    [Fact]
    public void small_values_are_exact_and_an_empty_histogram_reports_zero()
    {
        var histogram = new LatencyHistogram();
        Assert.Equal(0, histogram.ValueAtPercentile(99));

        foreach (var value in new long[] { 3, 200, 255 })
        {
            histogram.Record(value);
        }

        Assert.Equal(200, histogram.ValueAtPercentile(50));
        Assert.Equal(255, histogram.ValueAtPercentile(100));
    }

    [Fact]
    public void every_bucket_bound_maps_back_to_its_own_bucket()
    {
        for (var index = 0; index < 4000; index++)
        {
            var highest = LatencyHistogram.HighestEquivalent(index);
            Assert.Equal(index, LatencyHistogram.IndexOf(highest));
            Assert.Equal(index + 1, LatencyHistogram.IndexOf(highest + 1));
        }
    }
}
