using System.Text.Json.Serialization;
using EventLeaderboard.Client.Serialization;

namespace EventLeaderboard.Client.Contracts;

/// <summary>One event in a player's history.</summary>
/// <param name="Sequence">The event's position in the global log (a submission's own position).</param>
/// <param name="Type"><c>score.submitted</c> or <c>player.removed</c> (later server versions may add kinds).</param>
/// <param name="Score">The submitted value (the amount added on increment boards); null for a removal.</param>
/// <param name="ResultingScore">The player's score on the board right after the event (for a best score that did not
/// improve, the unchanged best); null when the event removed the player.</param>
/// <param name="SubmittedBy">Name of the API key that submitted the score or removed the player.</param>
public sealed record HistoryEvent(
    long Sequence,
    string Type,
    long? Score,
    long? ResultingScore,
    DateTimeOffset Timestamp,
    string? SubmissionId,
    string? SubmittedBy);

/// <summary>Answer of <c>GET .../players/{playerId}/history</c>, oldest first.</summary>
public sealed record PlayerHistory(IReadOnlyList<HistoryEvent> Events)
{
    /// <summary>The history is complete up to this log position.</summary>
    public long? Sequence { get; init; }

    /// <summary>
    /// The last event's sequence when the page is full: pass it as <c>afterSequence</c> for the next page.
    /// Null when this page is the last one for now.
    /// </summary>
    public long? NextAfterSequence { get; init; }
}

/// <summary>Answer of <c>POST /v1/admin/leaderboards/{boardId}/verify</c>.</summary>
/// <param name="Consistent">True when the board rebuilt from the event log alone equals the live ranking.</param>
/// <param name="Players">Number of players compared.</param>
/// <param name="Checksum">Server-defined digest of the rebuilt board, as text (a JSON number is kept as its digits).</param>
public sealed record VerificationReport(
    bool Consistent,
    long Players,
    long Sequence,
    [property: JsonConverter(typeof(StringOrNumberConverter))] string Checksum);
