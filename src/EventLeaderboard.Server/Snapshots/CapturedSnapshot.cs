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
    /// The part of a capture that must see the paused projection: the engine's snapshot (its own
    /// compact bytes) and copies of each board's settings and idempotency entries. The envelope
    /// around them, a million entries at 10M players, is written by <see cref="Frozen.Complete"/>
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
            var ranking = new ChunkedBuffer();
            board.Ranking.WriteSnapshot(ranking);
            frozen.Add(new Frozen(board.Config, at, board.Ranking.Count, board.Submissions.Entries(), ranking));
        }
        return frozen;
    }

    /// <summary>A board's state copied at one seq_id, not yet in the stored format.</summary>
    public sealed record Frozen(BoardConfig Config, long SeqId, int Players, List<(string SubmissionId, SubmissionOutcome Outcome)> Entries, ChunkedBuffer Ranking)
    {
        /// <summary>The stored format: the envelope, then the engine's bytes copied after it (no shared state is read).</summary>
        public CapturedSnapshot Complete()
        {
            var buffer = new ChunkedBuffer();
            BoardSnapshotFormat.WriteHeader(buffer, Config, SeqId, Entries);
            var chunks = Ranking.Chunks;
            for (var i = 0; i < chunks.Count; i++)
                buffer.Write(chunks[i].AsSpan(0, i == chunks.Count - 1 ? Ranking.LastChunkLength : chunks[i].Length));
            return new CapturedSnapshot(Config.BoardId, SeqId, Players, buffer);
        }
    }
}
