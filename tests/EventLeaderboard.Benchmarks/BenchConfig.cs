using BenchmarkDotNet.Columns;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Diagnosers;
using BenchmarkDotNet.Jobs;

namespace EventLeaderboard.Benchmarks;

/// <summary>
/// One short job for every benchmark. Why each setting:
/// <list type="bullet">
/// <item>One launch: the global setup builds a 10M board (~10-20 s); more processes cost minutes and
/// tell little on a shared 2-core machine.</item>
/// <item>3 warm-up and 10 measured iterations of at least 250 ms: enough for a stable median on
/// sub-microsecond operations (millions of invocations each), and the whole suite stays in minutes.</item>
/// <item>Median and P95 columns: the targets are medians; P95 shows the noise from other builds.</item>
/// <item>MemoryDiagnoser: queries should allocate only their result lists and strings; apply nothing.</item>
/// </list>
/// </summary>
internal sealed class BenchConfig : ManualConfig
{
    public BenchConfig()
    {
        AddJob(Job.Default
            .WithLaunchCount(1)
            .WithWarmupCount(3)
            .WithIterationCount(10)
            .WithIterationTime(Perfolizer.Horology.TimeInterval.FromMilliseconds(250))
            .WithGcServer(false));
        AddDiagnoser(MemoryDiagnoser.Default);
        AddColumn(StatisticColumn.Median, StatisticColumn.P95);
        AddLogger(BenchmarkDotNet.Loggers.ConsoleLogger.Default);
        AddColumnProvider(DefaultColumnProviders.Instance);
        AddExporter(BenchmarkDotNet.Exporters.MarkdownExporter.GitHub);
        WithOption(ConfigOptions.DisableOptimizationsValidator, false);
    }
}
