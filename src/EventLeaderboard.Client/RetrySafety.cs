namespace EventLeaderboard.Client;

/// <summary>
/// Marks requests that may be sent again after a transient failure. GET is safe unless marked otherwise; a POST or PUT is
/// safe only when repeating it cannot change the outcome (submissions carry a submission id, lookups and
/// acks are idempotent, a board PUT with the same body is). DELETE, subscription reads, verify and reset
/// are not marked: a repeat would answer differently (404) or hand out or rebuild things twice.
/// </summary>
public static class RetrySafety
{
    /// <summary>Request option <see cref="LeaderboardClient"/> sets on every request it sends.</summary>
    public static readonly HttpRequestOptionsKey<bool> Key = new("EventLeaderboard.RetrySafe");

    /// <summary>
    /// True when the request may be repeated: the client's explicit mark when present (health probes and
    /// event streams are GETs marked false), otherwise GET and HEAD only.
    /// </summary>
    public static bool IsRetrySafe(HttpRequestMessage? request) =>
        request is not null
        && (request.Options.TryGetValue(Key, out var safe)
            ? safe
            : request.Method == HttpMethod.Get || request.Method == HttpMethod.Head);
}
