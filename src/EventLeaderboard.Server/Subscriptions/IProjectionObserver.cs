using EventLeaderboard.Ranking;
using EventLeaderboard.Server.Events;
using EventLeaderboard.Server.Projection;

namespace EventLeaderboard.Server.Subscriptions;

/// <summary>
/// Sees every change the <see cref="LeaderboardProjection"/> makes, on the log follower's thread,
/// right after it is applied and before the next one: the board may be queried synchronously and
/// then reflects exactly this event. Implementations must be quick and must not block for long:
/// they hold up the whole projection (and so every write's answer).
/// </summary>
public interface IProjectionObserver
{
    /// <summary>A submission was applied (not a duplicate, not rejected). <paramref name="position"/> is its log position.</summary>
    void ScoreApplied(BoardState board, ScoreItem item, in ApplyResult result, long position);

    /// <summary>A player was removed; <paramref name="previousRank"/> is 1-based, just before the removal.</summary>
    void PlayerRemoved(BoardState board, string playerId, long previousRank, long position);

    /// <summary>A board was created or its settings changed; <paramref name="config"/> is the new settings.</summary>
    void BoardChanged(BoardConfig config, long position);

    /// <summary>Every event up to and including <paramref name="seqId"/> has been applied (called once per page read).</summary>
    void Advanced(long seqId);

    /// <summary>
    /// An apply failed part-way and the projection starts over from snapshots and the log: the
    /// changes seen since the last <see cref="Advanced"/> may belong to a half-applied event, and
    /// events seen before will be seen again. Drop the former; do not emit the latter twice.
    /// </summary>
    void Rebuilding()
    {
    }
}
