using System.Text.Json;

namespace EventLeaderboard.Client.Problems;

/// <summary>
/// An RFC 9457 problem document as the server sent it, plus the Retry-After header when present.
/// Answers that were not problem documents (a proxy's HTML 502, say) are represented too: then
/// <see cref="Title"/> is the reason phrase and <see cref="Detail"/> the start of the body.
/// </summary>
/// <param name="Status">The HTTP status code of the answer (the header's, which wins over the document's).</param>
/// <param name="Errors">Validation messages keyed by field path (<c>playerId</c>, <c>scores[3].score</c>); empty when none.</param>
/// <param name="Extensions">Any other members of the document, by name.</param>
/// <param name="RetryAfter">Delay the server asked for (delta-seconds, or an HTTP date turned into a delay, never negative).</param>
public sealed record LeaderboardProblem(
    int Status,
    string? Type,
    string? Title,
    string? Detail,
    string? Instance,
    IReadOnlyDictionary<string, string[]> Errors,
    IReadOnlyDictionary<string, JsonElement> Extensions,
    TimeSpan? RetryAfter);
