using System.Diagnostics;
using System.Diagnostics.Metrics;
using EventLeaderboard.Server.Ingest;

namespace EventLeaderboard.Server.Observability;

/// <summary>
/// The service's own instruments on the hot path (meter <see cref="MeterName"/>). Static, so the
/// ingest code records with a one-line call and no extra dependency; the observable gauges, which
/// need the node's state, live in <see cref="LeaderboardGauges"/>.
/// </summary>
/// <remarks>
/// Prometheus names (OpenTelemetry exporter): <c>leaderboard_scores_committed_total</c>,
/// <c>leaderboard_group_commit_batch_size_*</c>, <c>leaderboard_group_commit_duration_seconds_*</c>.
/// Submissions per second is <c>rate(leaderboard_scores_committed_total[1m])</c>.
/// </remarks>
public static class LeaderboardMetrics
{
    public const string MeterName = "EventLeaderboard";

    static readonly Meter Meter = new(MeterName, "1.0");

    static readonly Counter<long> ScoresCommitted = Meter.CreateCounter<long>(
        "leaderboard.scores.committed", "{score}", "Score submissions durably committed (duplicates included).");

    // Buckets sized for group commit: one score alone up to MaxBatchScores (4096 by default).
    static readonly Histogram<int> BatchSize = Meter.CreateHistogram<int>(
        "leaderboard.group_commit.batch_size", "{score}", "Items per group-commit transaction (scores; a board definition or removal counts one).",
        advice: new InstrumentAdvice<int> { HistogramBucketBoundaries = [1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 1024, 2048, 4096, 8192] });

    // Commits take about 1-30 ms here (one fsync each); finer buckets than the default at the low end.
    static readonly Histogram<double> CommitDuration = Meter.CreateHistogram<double>(
        "leaderboard.group_commit.duration", "s", "Append and commit of one group (after the append lock is held).",
        advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = [0.0005, 0.001, 0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5] });

    /// <summary>Records one committed group. <paramref name="started"/> is a <see cref="Stopwatch.GetTimestamp"/> value.</summary>
    public static void GroupCommitted(List<PendingWrite> batch, long started)
    {
        int items = 0, scores = 0;
        foreach (var write in batch)
        {
            items += write.ScoreCount;
            if (write is ScoreSubmission) scores += write.ScoreCount;
        }
        if (scores > 0) ScoresCommitted.Add(scores);
        BatchSize.Record(items);
        CommitDuration.Record(Stopwatch.GetElapsedTime(started).TotalSeconds);
    }
}
