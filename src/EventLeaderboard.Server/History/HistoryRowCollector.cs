using EventLeaderboard.Ranking;
using EventLeaderboard.Server.Events;
using EventLeaderboard.Server.Ingest;
using EventLeaderboard.Server.Projection;
using EventLeaderboard.Server.Subscriptions;

namespace EventLeaderboard.Server.History;

/// <summary>
/// Turns projection changes into history rows: the projection has just applied the event, so
/// <see cref="ApplyResult.Score"/> is the player's score right after it (for a <c>best</c> board
/// that did not improve, the unchanged best). Duplicates, rejected items and removals of absent
/// players never reach an observer, so they have no row: they changed nothing.
/// </summary>
/// <remarks>Used by the live feed (follower thread) and by a writer's private catch-up replay; not thread-safe.</remarks>
public class HistoryRowCollector : IProjectionObserver
{
    List<HistoryRow> _rows = [];

    /// <summary>Rows of events at or below this seq_id are not collected (already indexed).</summary>
    public long After { get; set; }

    public int Count => _rows.Count;

    /// <summary>The rows collected since the last call, in log order.</summary>
    public List<HistoryRow> Take()
    {
        var rows = _rows;
        _rows = [];
        return rows;
    }

    public void Clear() => _rows.Clear();

    public virtual void ScoreApplied(BoardState board, ScoreItem item, in ApplyResult result, long position)
    {
        if (position / LogPosition.ItemsPerEvent <= After) return;
        _rows.Add(new HistoryRow(item.BoardId, item.PlayerId, position, HistoryKind.ScoreSubmitted, item.Value, result.Score, item.SubmissionId, item.SubmittedBy));
    }

    public virtual void PlayerRemoved(BoardState board, string playerId, long previousRank, long position)
    {
        if (position / LogPosition.ItemsPerEvent <= After) return;
        // Who removed the player is in the (small, untoasted) removal event; the read joins it.
        _rows.Add(new HistoryRow(board.Config.BoardId, playerId, position, HistoryKind.PlayerRemoved, null, null, null, null));
    }

    public void BoardChanged(BoardConfig config, long position)
    {
    }

    public virtual void Advanced(long seqId)
    {
    }

    public virtual void Rebuilding() => Clear();
}
