using EventLeaderboard.Ranking;

namespace EventLeaderboard.Server.Projection;

/// <summary>One board on this node: its settings, its ranking and its idempotency window.</summary>
public sealed class BoardState(BoardConfig config, int idempotencyWindow)
{
    volatile BoardConfig _config = config;

    public BoardConfig Config { get => _config; internal set => _config = value; }

    public RankingBoard Ranking { get; } = new(config.SortOrder, config.UpdatePolicy);

    public IdempotencyWindow Submissions { get; } = new(idempotencyWindow);
}
