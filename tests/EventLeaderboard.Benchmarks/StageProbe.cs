using System.Diagnostics;
using EventLeaderboard.Ranking;

namespace EventLeaderboard.Benchmarks;

/// <summary>
/// Splits a rank lookup into its stages (encode + hash, + lock, + index probe, + leaf scan, + walk up)
/// and times each cumulative prefix the way <see cref="LatencyProbe"/> does, on the same random ids, so
/// the difference between two lines is what the added stage costs. Used to find where a rank spends its
/// time at 10M players; `-- stages [players]`. With TOP_LOOP_SECONDS=n it only calls GetTop(0, 100) for
/// n seconds, for a sampling profiler (`perf record -p`, with DOTNET_PerfMapEnabled=1 and
/// DOTNET_EnableWriteXorExecute=0 so that perf can name the JIT-compiled frames).
/// </summary>
internal static class StageProbe
{
    public static void Run(int players)
    {
        if (Environment.GetEnvironmentVariable("TOP_LOOP_SECONDS") is string loop)
        {
            // For a sampling profiler (perf record -p): nothing but top-100 calls for a while.
            RankingBoard small = BoardData.Build(players);
            Console.WriteLine("looping top 100");
            double seconds = double.Parse(loop, System.Globalization.CultureInfo.InvariantCulture);
            var until = Stopwatch.StartNew();
            long calls = 0;
            while (until.Elapsed.TotalSeconds < seconds)
            {
                small.GetTop(0, 100);
                calls++;
            }
            Console.WriteLine($"{until.Elapsed.TotalMilliseconds * 1e6 / calls:F0} ns per top 100");
            return;
        }
        var clock = Stopwatch.StartNew();
        RankingBoard board = BoardData.Build(players);
        Console.WriteLine($"players: {players:N0}; build {clock.Elapsed.TotalSeconds:F1} s");
        for (int round = 0; round < 2; round++)
        {
            const int samples = 200_000;
            string[] ids = BoardData.RandomIds(players, samples, seed: 11 + round);
            var random = new Random(12);
            long[] values = new long[samples];
            for (int i = 0; i < samples; i++) values[i] = random.NextInt64(0, BoardData.ScoreRange);
            long tie = players + 1L + round * 100_000_000L;
            Console.WriteLine($"round {round + 1}");
            foreach (RankingBoard.RankStage stage in Enum.GetValues<RankingBoard.RankStage>())
            {
                LatencyProbe.Measure($"rank up to {stage}", samples, i => board.RankStages(ids[i], stage));
            }
            LatencyProbe.Measure("rank (TryGet)", samples, i => board.TryGet(ids[i], out _));
            LatencyProbe.Measure("apply random submission", samples, i => board.Apply(ids[i], values[i], tie++));
            LatencyProbe.Measure("rank (TryGet) after apply", samples, i => board.TryGet(ids[i], out _));
        }
    }
}
