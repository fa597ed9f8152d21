using EventLeaderboard.Ranking;

namespace EventLeaderboard.Server.Projection;

/// <summary>One board on this node: its settings, its ranking and its idempotency window.</summary>
public sealed class BoardState(BoardConfig config, int idempotencyWindow, RankingBoard? restored = null, IdempotencyWindow? restoredSubmissions = null)
{
    volatile BoardConfig _config = config;

    public BoardConfig Config { get => _config; internal set => _config = value; }

    public RankingBoard Ranking { get; } = restored ?? new(config.SortOrder, config.UpdatePolicy);

    public IdempotencyWindow Submissions { get; } = restoredSubmissions ?? new(idempotencyWindow);

    /// <summary>
    /// The seq_id a snapshot restored this board at (0 when built from the log): events up to it are
    /// already in the state and are skipped, since boards restored from different snapshots share one tail.
    /// </summary>
    public long RestoredThrough { get; init; }
}
