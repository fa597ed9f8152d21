using System.Text.Json.Serialization;

namespace EventLeaderboard.Client.Contracts;

/// <summary>Direction of a board's ranking. Fixed once the board exists.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<SortOrder>))]
public enum SortOrder
{
    /// <summary>Higher scores rank first.</summary>
    [JsonStringEnumMemberName("descending")] Descending,

    /// <summary>Lower scores rank first (e.g. speed-run times).</summary>
    [JsonStringEnumMemberName("ascending")] Ascending,
}

/// <summary>How a submission combines with the player's stored score. Fixed once the board exists.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<UpdatePolicy>))]
public enum UpdatePolicy
{
    /// <summary>Keep the better of stored and submitted (higher on descending boards, lower on ascending ones).</summary>
    [JsonStringEnumMemberName("best")] Best,

    /// <summary>The submitted value replaces the stored one.</summary>
    [JsonStringEnumMemberName("latest")] Latest,

    /// <summary>The submitted value (possibly negative) is added to the stored one, starting from zero.</summary>
    [JsonStringEnumMemberName("increment")] Increment,
}

/// <summary>
/// Body of <c>PUT /v1/leaderboards/{boardId}</c>. Optional members left <c>null</c> are not sent,
/// so an update keeps the board's current value for them.
/// </summary>
/// <param name="SortOrder">Must equal the existing value when the board exists (else 409).</param>
/// <param name="UpdatePolicy">Must equal the existing value when the board exists (else 409).</param>
public sealed record BoardDefinition(SortOrder SortOrder, UpdatePolicy UpdatePolicy)
{
    /// <summary>Inclusive lower bound of each submitted value (for increment boards: of the amount added).</summary>
    public long? MinScore { get; init; }

    /// <summary>Inclusive upper bound of each submitted value (for increment boards: of the amount added).</summary>
    public long? MaxScore { get; init; }

    /// <summary>Size of the top used for <c>rank.enteredTop</c>/<c>rank.leftTop</c> notifications (server default 100).</summary>
    public int? TopN { get; init; }

    /// <summary>Free text for humans.</summary>
    public string? DisplayName { get; init; }
}

/// <summary>A board as described by <c>GET /v1/leaderboards/{boardId}</c> (and the items of the board list).</summary>
/// <param name="Sequence">Global log position the answer reflects; absent (null) in list items.</param>
public sealed record Board(
    string BoardId,
    SortOrder SortOrder,
    UpdatePolicy UpdatePolicy,
    long? MinScore,
    long? MaxScore,
    int? TopN,
    string? DisplayName,
    long PlayerCount,
    long? Sequence);

/// <summary>Answer of <c>GET /v1/leaderboards</c>.</summary>
public sealed record BoardList(IReadOnlyList<Board> Items);

/// <summary>Outcome of defining a board.</summary>
/// <param name="Created">True when the server answered 201 (new board), false for 200 (updated or unchanged).</param>
/// <param name="Board">The board as the server returned it, or null when the answer had no JSON body.</param>
public sealed record BoardDefinitionOutcome(bool Created, Board? Board);
