using EventLeaderboard.Ranking;
using EventLeaderboard.Server.Projection;

namespace EventLeaderboard.Server.Audit;

/// <summary>A verify run: the comparison and the seq_id both sides reflect.</summary>
public sealed record Verification(string BoardId, long SeqId, BoardComparison Comparison, ReplayStats Replay);

/// <summary>
/// Verifies the live ranking against a rebuild from the events alone, at the same seq_id: the live
/// board is copied (engine snapshot into memory, restored privately) on the follower's loop, where
/// no event is being applied, and the rebuild stops at that seq_id.
/// </summary>
public sealed class BoardVerifier(LogFollower follower, LeaderboardProjection projection, BoardRebuilder rebuilder, ILogger<BoardVerifier> logger)
{
    /// <returns>Null when the board does not exist on this node.</returns>
    public async Task<Verification?> VerifyAsync(string boardId, CancellationToken ct)
    {
        var captured = await follower.RunBetweenEventsAsync(seqId =>
        {
            if (!projection.TryGetBoard(boardId, out var board)) return ((long, MemoryStream)?)null;
            var copy = new MemoryStream();
            board.Ranking.WriteSnapshot(copy);
            return (seqId, copy);
        }).WaitAsync(ct);
        if (captured is not { } live) return null;
        var (liveSeqId, bytes) = live;
        bytes.Position = 0;
        var liveBoard = RankingBoard.ReadSnapshot(bytes);
        await bytes.DisposeAsync();
        var rebuilt = await rebuilder.FromEventsAsync(boardId, liveSeqId, ct);
        var rebuiltRanking = rebuilt.Board?.Ranking ?? new RankingBoard(liveBoard.SortOrder, liveBoard.UpdatePolicy);
        var comparison = BoardComparison.Of(rebuiltRanking, liveBoard);
        if (!comparison.Consistent)
            logger.LogError("Board {BoardId} at seq_id {SeqId}: the live ranking differs from a rebuild from the events ({Mismatches} ranks differ, first at rank {Rank})",
                boardId, liveSeqId, comparison.Mismatches, comparison.FirstMismatchRank);
        return new Verification(boardId, liveSeqId, comparison, rebuilt.Replay);
    }
}
