using EventLeaderboard.Server.Projection;

namespace EventLeaderboard.Server.Snapshots;

/// <summary>A board's snapshot taken in memory, not stored yet.</summary>
public sealed record CapturedSnapshot(string BoardId, long SeqId, int Players, ChunkedBuffer Bytes)
{
    /// <summary>
    /// Serializes the boards of <paramref name="projection"/> as of <paramref name="seqId"/>. Must
    /// run while nothing applies events (the follower's loop, or a private projection).
    /// </summary>
    /// <param name="boardId">One board, or null for every board.</param>
    public static List<CapturedSnapshot> Capture(LeaderboardProjection projection, long seqId, string? boardId)
    {
        var captured = new List<CapturedSnapshot>();
        foreach (var board in projection.Boards)
        {
            if (boardId is not null && board.Config.BoardId != boardId) continue;
            // A board restored from a newer snapshot than the tail's start is already past seqId:
            // label it with what it really contains, or a restore would apply events twice.
            var at = Math.Max(seqId, board.RestoredThrough);
            var buffer = new ChunkedBuffer();
            BoardSnapshotFormat.Write(buffer, board, at);
            captured.Add(new CapturedSnapshot(board.Config.BoardId, at, board.Ranking.Count, buffer));
        }
        return captured;
    }
}
