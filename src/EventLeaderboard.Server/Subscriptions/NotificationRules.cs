using System.Text.Json;
using EventLeaderboard.Ranking;
using EventLeaderboard.Server.Events;
using EventLeaderboard.Server.Projection;

namespace EventLeaderboard.Server.Subscriptions;

/// <summary>
/// Derives the messages of one applied change from the change's outcome and the board right after
/// it (the follower has not applied anything else yet). Depends only on the log, so every node and
/// every replay derives the same messages with the same ranks.
/// </summary>
/// <remarks>
/// Ranks are 1-based. With N = the board's topN and a change that moved one player P from rank
/// <c>pr</c> (null: new) to <c>r</c>, everybody else keeps their relative order, so:
/// P entering the top N (r ≤ N &lt; pr) pushes out whoever now sits at N+1 (previously N);
/// P leaving it (pr ≤ N &lt; r, or removal) lets in whoever now sits at N (previously N+1);
/// P taking rank 1 displaces whoever now sits at rank 2; P losing rank 1 crowns whoever now sits at 1.
/// Order within one change: score.submitted, rank.changed, then P's top-N move, the other player's
/// top-N move, and rank.newLeader.
/// </remarks>
public static class NotificationRules
{
    public static void ScoreApplied(BoardState board, ScoreItem item, in ApplyResult result, long position, List<LogMessage> into)
    {
        var boardId = item.BoardId;
        var player = item.PlayerId;
        var topN = board.Config.TopN;
        var outcome = result; // lambdas cannot capture an 'in' parameter
        into.Add(Message(position, MessageKind.ScoreSubmitted, boardId, player, w =>
        {
            w.WriteString("playerId", player);
            w.WriteNumber("submitted", item.Value);
            w.WriteNumber("score", outcome.Score);
            w.WriteNumber("rank", outcome.Rank);
            Nullable(w, "previousRank", outcome.PreviousRank);
            if (item.SubmissionId is { } sid) w.WriteString("submissionId", sid);
            else w.WriteNull("submissionId");
        }));
        var rank = result.Rank;
        var previous = result.PreviousRank;
        if (previous == rank) return;
        into.Add(Message(position, MessageKind.RankChanged, boardId, player, w =>
        {
            w.WriteString("playerId", player);
            w.WriteNumber("rank", rank);
            Nullable(w, "previousRank", previous);
        }));

        var wasInTop = previous is { } p && p <= topN;
        var isInTop = rank <= topN;
        if (isInTop && !wasInTop)
        {
            into.Add(TopMove(position, MessageKind.EnteredTop, boardId, player, rank, previous, topN));
            if (At(board, topN + 1L) is { } pushedOut)
                into.Add(TopMove(position, MessageKind.LeftTop, boardId, pushedOut, topN + 1L, topN, topN));
        }
        else if (wasInTop && !isInTop)
        {
            into.Add(TopMove(position, MessageKind.LeftTop, boardId, player, rank, previous, topN));
            if (At(board, topN) is { } movedIn)
                into.Add(TopMove(position, MessageKind.EnteredTop, boardId, movedIn, topN, topN + 1L, topN));
        }

        if (rank == 1)
            into.Add(Leader(position, boardId, player, At(board, 2)));
        else if (previous == 1 && At(board, 1) is { } leader)
            into.Add(Leader(position, boardId, leader, player));
    }

    /// <summary>A removal derives player.removed and the top-N and leader moves it causes (never rank.changed).</summary>
    public static void PlayerRemoved(BoardState board, string player, long previousRank, long position, List<LogMessage> into)
    {
        var boardId = board.Config.BoardId;
        var topN = board.Config.TopN;
        into.Add(Message(position, MessageKind.PlayerRemoved, boardId, player, w =>
        {
            w.WriteString("playerId", player);
            w.WriteNumber("previousRank", previousRank);
        }));
        if (previousRank <= topN)
        {
            into.Add(TopMove(position, MessageKind.LeftTop, boardId, player, null, previousRank, topN));
            if (At(board, topN) is { } movedIn)
                into.Add(TopMove(position, MessageKind.EnteredTop, boardId, movedIn, topN, topN + 1L, topN));
        }
        if (previousRank == 1 && At(board, 1) is { } leader)
            into.Add(Leader(position, boardId, leader, player));
    }

    public static LogMessage BoardChanged(BoardConfig config, long position) =>
        Message(position, MessageKind.BoardDefined, config.BoardId, "", w =>
        {
            w.WriteString("sortOrder", BoardNames.Of(config.SortOrder));
            w.WriteString("updatePolicy", BoardNames.Of(config.UpdatePolicy));
            w.WriteNumber("topN", config.TopN);
        });

    /// <summary>The player at a 1-based rank, or null past the end of the board.</summary>
    static string? At(BoardState board, long rank)
    {
        if (rank < 1 || rank > board.Ranking.Count) return null;
        var entries = board.Ranking.GetTop(rank - 1, 1);
        return entries.Count == 1 ? entries[0].PlayerId : null;
    }

    static LogMessage TopMove(long position, MessageKind kind, string boardId, string player, long? rank, long? previousRank, int topN) =>
        Message(position, kind, boardId, player, w =>
        {
            w.WriteString("playerId", player);
            Nullable(w, "rank", rank);
            Nullable(w, "previousRank", previousRank);
            w.WriteNumber("topN", topN);
        });

    static LogMessage Leader(long position, string boardId, string player, string? previousLeader) =>
        Message(position, MessageKind.NewLeader, boardId, player, w =>
        {
            w.WriteString("playerId", player);
            if (previousLeader is null) w.WriteNull("previousLeader");
            else w.WriteString("previousLeader", previousLeader);
        });

    static void Nullable(Utf8JsonWriter w, string name, long? value)
    {
        if (value is { } v) w.WriteNumber(name, v);
        else w.WriteNull(name);
    }

    [ThreadStatic] static ArrayBufferWriterHolder? _buffer;

    /// <summary>The ordinal is filled in by the caller (it depends on the message's place in its event).</summary>
    static LogMessage Message(long position, MessageKind kind, string boardId, string player, Action<Utf8JsonWriter> write)
    {
        var holder = _buffer ??= new ArrayBufferWriterHolder();
        holder.Buffer.ResetWrittenCount();
        holder.Writer.Reset(holder.Buffer);
        holder.Writer.WriteStartObject();
        write(holder.Writer);
        holder.Writer.WriteEndObject();
        holder.Writer.Flush();
        return new LogMessage(0, position, kind, boardId, player, holder.Buffer.WrittenSpan.ToArray());
    }

    sealed class ArrayBufferWriterHolder
    {
        public readonly System.Buffers.ArrayBufferWriter<byte> Buffer = new(256);
        public readonly Utf8JsonWriter Writer = new(Stream.Null);
    }
}
