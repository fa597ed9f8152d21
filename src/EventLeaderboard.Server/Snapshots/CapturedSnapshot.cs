using EventLeaderboard.Ranking;
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
    public static List<CapturedSnapshot> Capture(LeaderboardProjection projection, long seqId, string? boardId) =>
        Freeze(projection, seqId, boardId).ConvertAll(f => f.Complete());

    /// <summary>
    /// The part of a capture that must see the paused projection: copies of each board's ranking
    /// (<see cref="RankingBoard.Freeze"/>) and idempotency window (<see cref="IdempotencyWindow.Freeze"/>),
    /// both taken as whole-memory copies. At 10M players and a million entries that pause measured
    /// 0.29-0.32 s, where writing the engine's snapshot and listing the entries on the paused loop took
    /// 0.8-1.2 s (docs/operations.md). The snapshot itself is written by <see cref="Frozen.Complete"/>
    /// after the projection resumed.
    /// </summary>
    public static List<Frozen> Freeze(LeaderboardProjection projection, long seqId, string? boardId)
    {
        var frozen = new List<Frozen>();
        foreach (var board in projection.Boards)
        {
            if (boardId is not null && board.Config.BoardId != boardId) continue;
            // A board restored from a newer snapshot than the tail's start is already past seqId:
            // label it with what it really contains, or a restore would apply events twice.
            var at = Math.Max(seqId, board.RestoredThrough);
            var ranking = board.Ranking.Freeze();
            frozen.Add(new Frozen(board.Config, at, ranking.Count, board.Submissions.Freeze(), ranking));
        }
        return frozen;
    }

    /// <summary>A board's state copied at one seq_id, not yet in the stored format.</summary>
    public sealed record Frozen(BoardConfig Config, long SeqId, int Players, FrozenWindow Submissions, FrozenRanking Ranking)
    {
        /// <summary>The stored format: the envelope, then the engine's bytes (reads only the frozen copies, any thread).</summary>
        public CapturedSnapshot Complete()
        {
            var buffer = new ChunkedBuffer();
            BoardSnapshotFormat.WriteHeader(buffer, Config, SeqId, Submissions.Entries());
            Ranking.WriteSnapshot(buffer);
            return new CapturedSnapshot(Config.BoardId, SeqId, Players, buffer);
        }
    }
}
