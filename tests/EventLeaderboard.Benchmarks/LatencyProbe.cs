using System.Diagnostics;
using System.Runtime.InteropServices;
using EventLeaderboard.Ranking;

namespace EventLeaderboard.Benchmarks;

/// <summary>
/// Per-operation latencies on the 10M board, timed one call at a time. BenchmarkDotNet reports means of
/// wall time, which on a machine shared with other builds mostly measure the scheduler. Two numbers here
/// resist that: the median of single-call wall times (a call that was preempted lands in the tail, not the
/// median) and the thread CPU time per call (time the thread actually ran).
/// </summary>
internal static class LatencyProbe
{
    public static void Run(RankingBoard board, int players)
    {
        const int samples = 200_000;
        string[] ids = BoardData.RandomIds(players, samples, seed: 11);
        var random = new Random(12);
        long[] values = new long[samples];
        for (int i = 0; i < samples; i++) values[i] = random.NextInt64(0, BoardData.ScoreRange);
        long tie = players + 1L;

        Console.WriteLine("operation                 median     p90        CPU/op     (single calls, after warm-up)");
        Measure("(timer overhead only)", samples, static _ => { });
        int before = board.Count;
        Measure("apply random submission", samples, i => board.Apply(ids[i], values[i], tie++));
        if (board.Count != before) throw new InvalidOperationException($"applies to existing players changed the count: {before} -> {board.Count}");
        Measure("rank of random player", samples, i => board.TryGet(ids[i], out _));
        Measure("top 100", samples / 10, _ => board.GetTop(0, 100));
        Measure("around 10/10", samples / 4, i => board.TryGetAround(ids[i], 10, 10, out _));
        Measure("score-range count (1%)", samples, i => board.CountInScoreRange(values[i], values[i] + BoardData.ScoreRange / 100));
        Measure("read lock only", samples, i => board.CountInScoreRange(1, 0));
        string[] absent = ids.Select(id => id.Replace("player:", "playor:")).ToArray();
        Measure("lookup of an absent id", samples, i => board.TryGet(absent[i], out _));
    }

    internal static void Measure(string name, int count, Action<int> operation)
    {
        // Warm-up by time, not by count: tiered JIT promotes hot methods to optimized code in the
        // background after ~100 ms, so a short warm-up would measure unoptimized code.
        var warm = Stopwatch.StartNew();
        for (int i = 0; warm.ElapsedMilliseconds < 1500; i = (i + 1) % count) operation(i);
        long[] ticks = new long[count];
        long cpuStart = ThreadCpuNanoseconds();
        for (int i = 0; i < count; i++)
        {
            long t0 = Stopwatch.GetTimestamp();
            operation(i);
            ticks[i] = Stopwatch.GetTimestamp() - t0;
        }
        long cpu = ThreadCpuNanoseconds() - cpuStart;
        Array.Sort(ticks);
        double toNs = 1e9 / Stopwatch.Frequency;
        Console.WriteLine($"{name,-25} {ticks[count / 2] * toNs,7:F0} ns {ticks[count * 9 / 10] * toNs,7:F0} ns {(double)cpu / count,7:F0} ns");
    }

    [StructLayout(LayoutKind.Sequential)]
    private struct TimeSpec
    {
        public long Seconds;
        public long Nanoseconds;
    }

    [DllImport("libc", EntryPoint = "clock_gettime")]
    private static extern int ClockGetTime(int clock, out TimeSpec time);

    private static long ThreadCpuNanoseconds()
    {
        const int ClockThreadCpuTimeId = 3;
        return OperatingSystem.IsLinux() && ClockGetTime(ClockThreadCpuTimeId, out TimeSpec t) == 0 ? t.Seconds * 1_000_000_000 + t.Nanoseconds : 0;
    }
}
