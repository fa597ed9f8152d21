using System.Text.Json.Serialization;
using EventLeaderboard.Client.Serialization;

namespace EventLeaderboard.Client.Contracts;

/// <summary>One event in a player's history.</summary>
/// <param name="Type">Event type as the server names it (e.g. a submission or a removal).</param>
/// <param name="Score">The submitted value, when the event is a submission.</param>
/// <param name="ResultingScore">The player's score after the event; null when the event removed the player.</param>
public sealed record HistoryEvent(
    long Sequence,
    string Type,
    long? Score,
    long? ResultingScore,
    DateTimeOffset Timestamp,
    string? SubmissionId,
    string? SubmittedBy);

/// <summary>Answer of <c>GET .../players/{playerId}/history</c>, oldest first.</summary>
public sealed record PlayerHistory(IReadOnlyList<HistoryEvent> Events);

/// <summary>Answer of <c>POST /v1/admin/leaderboards/{boardId}/verify</c>.</summary>
/// <param name="Consistent">True when the board rebuilt from the event log alone equals the live ranking.</param>
/// <param name="Players">Number of players compared.</param>
/// <param name="Checksum">Server-defined digest of the rebuilt board, as text (a JSON number is kept as its digits).</param>
public sealed record VerificationReport(
    bool Consistent,
    long Players,
    long Sequence,
    [property: JsonConverter(typeof(StringOrNumberConverter))] string Checksum);
