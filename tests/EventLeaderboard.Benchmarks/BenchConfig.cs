using BenchmarkDotNet.Columns;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Diagnosers;
using BenchmarkDotNet.Jobs;

namespace EventLeaderboard.Benchmarks;

/// <summary>
/// Settings shared by every benchmark (jobs are chosen per class: see <see cref="ShortJobConfig"/> and
/// <see cref="SnapshotBenchmarks"/>). Why each setting:
/// <list type="bullet">
/// <item>Median and P95 columns: the targets are medians; P95 shows the noise from other processes on a
/// shared 2-core machine.</item>
/// <item>MemoryDiagnoser: queries should allocate only their result lists and strings; apply nothing.</item>
/// <item>GitHub markdown export: the tables go into docs/ranking-engine.md as they are.</item>
/// </list>
/// </summary>
internal sealed class BenchConfig : ManualConfig
{
    public BenchConfig()
    {
        AddDiagnoser(MemoryDiagnoser.Default);
        AddColumn(StatisticColumn.Median, StatisticColumn.P95);
        AddLogger(BenchmarkDotNet.Loggers.ConsoleLogger.Default);
        AddColumnProvider(DefaultColumnProviders.Instance);
        AddExporter(BenchmarkDotNet.Exporters.MarkdownExporter.GitHub);
    }
}

/// <summary>
/// The job for sub-microsecond operations on a 10M board. Why each setting:
/// <list type="bullet">
/// <item>One launch: the global setup builds a 10M board (20-40 s here); more processes cost minutes and
/// tell little on a shared machine.</item>
/// <item>3 warm-up and 10 measured iterations of 250 ms: millions of invocations per benchmark, enough for
/// a stable median, and the suite stays in minutes.</item>
/// <item>Workstation GC, as the server runs by default for a single board host.</item>
/// </list>
/// </summary>
internal sealed class ShortJobConfig : ManualConfig
{
    public ShortJobConfig()
    {
        AddJob(Job.Default
            .WithLaunchCount(1)
            .WithWarmupCount(3)
            .WithIterationCount(10)
            .WithIterationTime(Perfolizer.Horology.TimeInterval.FromMilliseconds(250))
            .WithGcServer(false));
    }
}
