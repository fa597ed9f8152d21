using System.Diagnostics.Metrics;
using EventLeaderboard.Server.Projection;
using Microsoft.Extensions.Options;

namespace EventLeaderboard.Server.Observability;

/// <summary>
/// Observable gauges of this node's state, read at scrape time: projection lag, board sizes,
/// snapshot age and consumer-group lag (the last two from <see cref="MetricsSampler"/>).
/// </summary>
/// <remarks>
/// Created from <see cref="IMeterFactory"/> (meter <see cref="LeaderboardMetrics.MeterName"/>) so
/// each host in a test process has its own callbacks over its own projection.
/// </remarks>
public sealed class LeaderboardGauges
{
    public LeaderboardGauges(IMeterFactory meters, LeaderboardProjection projection, MetricsSampler sampler, IOptions<ObservabilityOptions> options)
    {
        var meter = meters.Create(LeaderboardMetrics.MeterName, "1.0");
        var maxBoards = options.Value.MaxBoardsReported;

        meter.CreateObservableGauge("leaderboard.projection.applied_sequence", () => projection.AppliedSequence,
            "{sequence}", "Log position this node's rankings reflect.");
        meter.CreateObservableGauge("leaderboard.log.head_sequence", () => Math.Max(sampler.Latest.HeadSequence, projection.AppliedSequence),
            "{sequence}", "Highest committed log position (sampled).");
        // Head sampled first, applied read at scrape time: the difference can only under-state the lag, never go negative.
        meter.CreateObservableGauge("leaderboard.projection.lag", () => Math.Max(0, sampler.Latest.HeadSequence - projection.AppliedSequence),
            "{sequence}", "Log positions committed but not yet applied on this node.");
        meter.CreateObservableGauge("leaderboard.projection.ready", () => projection.IsReady ? 1 : 0,
            description: "1 once the start-up replay caught up.");

        meter.CreateObservableGauge("leaderboard.board.players", () => projection.Boards
                .OrderByDescending(b => b.Ranking.Count).Take(maxBoards)
                .Select(b => new Measurement<long>(b.Ranking.Count, new KeyValuePair<string, object?>("board", b.Config.BoardId))),
            "{player}", "Players ranked on each board (the largest boards, up to Observability:MaxBoardsReported).");
        meter.CreateObservableGauge("leaderboard.boards", () => projection.Boards.Count(), "{board}", "Boards on this node.");

        meter.CreateObservableGauge("leaderboard.snapshot.age", () =>
            {
                var now = DateTimeOffset.UtcNow;
                return sampler.Latest.SnapshotTakenAt.Select(s =>
                    new Measurement<double>((now - s.Value).TotalSeconds, new KeyValuePair<string, object?>("board", s.Key)));
            },
            "s", "Age of each board's newest snapshot (sampled).");

        meter.CreateObservableGauge("leaderboard.subscription.lag", () => sampler.Latest.GroupLag.Select(g =>
                new Measurement<long>(g.Value, new KeyValuePair<string, object?>("group", g.Key))),
            "{event}", "Log events with messages a consumer group has not taken yet (sampled).");
    }
}
