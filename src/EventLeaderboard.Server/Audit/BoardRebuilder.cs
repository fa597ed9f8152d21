using EventLeaderboard.Server.Projection;
using EventLeaderboard.Server.Snapshots;

namespace EventLeaderboard.Server.Audit;

/// <summary>A board built off the live path, the seq_id it reflects, and how it was built.</summary>
/// <param name="Board">Null when the board did not exist at that seq_id.</param>
/// <param name="FromSnapshotSeqId">The snapshot it started from; null for a build from the events alone.</param>
public sealed record BuiltBoard(BoardState? Board, long SeqId, long? FromSnapshotSeqId, ReplayStats Replay);

/// <summary>Builds one board privately: from the events alone, or from a snapshot plus the events after it.</summary>
public sealed class BoardRebuilder(LogReplay replay, SnapshotRestorer restorer)
{
    /// <summary>Full rebuild from the event log, no snapshot: events with seq_id 1..<paramref name="upToSeqId"/>.</summary>
    public async Task<BuiltBoard> FromEventsAsync(string boardId, long upToSeqId, CancellationToken ct)
    {
        var projection = replay.NewProjection();
        var stats = await replay.ReplayAsync(projection, boardId, 0, upToSeqId, ct);
        projection.TryGetBoard(boardId, out var board);
        return new BuiltBoard(board, upToSeqId, null, stats);
    }

    /// <summary>
    /// The board as of <paramref name="upToSeqId"/>: the newest valid snapshot at or before it, then
    /// the events after the snapshot up to it (the whole log when there is no such snapshot).
    /// </summary>
    public async Task<BuiltBoard> AtAsync(string boardId, long upToSeqId, CancellationToken ct)
    {
        var projection = replay.NewProjection();
        var restored = await restorer.LoadNewestAsync(boardId, upToSeqId, ct);
        long? snapshotSeqId = null;
        foreach (var board in restored.Boards)
        {
            projection.Restore(board);
            snapshotSeqId = board.RestoredThrough;
        }
        var stats = await replay.ReplayAsync(projection, boardId, restored.TailAfter, upToSeqId, ct);
        projection.TryGetBoard(boardId, out var built);
        return new BuiltBoard(built, upToSeqId, snapshotSeqId, stats);
    }
}
