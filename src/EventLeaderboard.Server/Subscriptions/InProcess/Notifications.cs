using System.Text.Json;

namespace EventLeaderboard.Server.Subscriptions.InProcess;

// The derived notifications as typed Wolverine messages for the server's own handlers. Each
// carries the message id (stable across redeliveries: de-duplicate on it) and the causing sequence.

/// <summary><c>rank.enteredTop</c>.</summary>
public sealed record PlayerEnteredTop(string MessageId, long Sequence, string BoardId, string PlayerId, long Rank, long? PreviousRank, int TopN);

/// <summary><c>rank.leftTop</c>; <c>Rank</c> is null when the player left the board.</summary>
public sealed record PlayerLeftTop(string MessageId, long Sequence, string BoardId, string PlayerId, long? Rank, long? PreviousRank, int TopN);

/// <summary><c>rank.newLeader</c>; <c>PreviousLeader</c> is null for a board's first player.</summary>
public sealed record NewLeader(string MessageId, long Sequence, string BoardId, string PlayerId, string? PreviousLeader);

/// <summary><c>rank.changed</c>; <c>PreviousRank</c> is null for a new entry.</summary>
public sealed record PlayerRankChanged(string MessageId, long Sequence, string BoardId, string PlayerId, long Rank, long? PreviousRank);

public static class Notifications
{
    /// <summary>
    /// The kinds the in-process group subscribes to: the rare ones. rank.changed (one per score) is
    /// left out on purpose; add it here together with a handler for <see cref="PlayerRankChanged"/>.
    /// </summary>
    public static readonly string[] Kinds = [MessageKinds.EnteredTop, MessageKinds.LeftTop, MessageKinds.NewLeader];

    /// <summary>The typed record of a delivered message; null for kinds without one.</summary>
    public static object? From(DeliveredMessage m)
    {
        using var doc = JsonDocument.Parse(m.Data);
        var d = doc.RootElement;
        var player = d.GetProperty("playerId").GetString()!;
        return m.Kind switch
        {
            MessageKinds.EnteredTop => new PlayerEnteredTop(m.Id, m.Sequence, m.BoardId, player, d.GetProperty("rank").GetInt64(), Long(d, "previousRank"), d.GetProperty("topN").GetInt32()),
            MessageKinds.LeftTop => new PlayerLeftTop(m.Id, m.Sequence, m.BoardId, player, Long(d, "rank"), Long(d, "previousRank"), d.GetProperty("topN").GetInt32()),
            MessageKinds.NewLeader => new NewLeader(m.Id, m.Sequence, m.BoardId, player,
                d.GetProperty("previousLeader").ValueKind == JsonValueKind.Null ? null : d.GetProperty("previousLeader").GetString()),
            MessageKinds.RankChanged => new PlayerRankChanged(m.Id, m.Sequence, m.BoardId, player, d.GetProperty("rank").GetInt64(), Long(d, "previousRank")),
            _ => null,
        };
    }

    static long? Long(JsonElement d, string name) => d.GetProperty(name).ValueKind == JsonValueKind.Null ? null : d.GetProperty(name).GetInt64();
}
