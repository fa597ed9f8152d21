namespace EventLeaderboard.Server.OpenApi;

/// <summary>
/// Which problem documents (RFC 9457) an endpoint can answer with. The endpoints return
/// <see cref="IResult"/>s written by hand for speed, so ASP.NET Core cannot infer their responses;
/// these rules restate the API contract (docs/api.md) per route instead of annotating every file.
/// </summary>
public static class ProblemStatuses
{
    /// <param name="method">HTTP method, upper case.</param>
    /// <param name="route">Route template as written on the endpoint, e.g. <c>/v1/leaderboards/{boardId}/top</c>.</param>
    /// <param name="requiresKey">True when the endpoint has an authorization policy (no <c>[AllowAnonymous]</c>).</param>
    /// <returns>Status codes in ascending order, each with a short reason for the API reference.</returns>
    public static IReadOnlyList<(int Status, string Reason)> For(string method, string route, bool requiresKey)
    {
        var list = new List<(int, string)>();
        var isApi = route.StartsWith("/v1/", StringComparison.Ordinal);
        var hasBody = method is "POST" or "PUT";
        var boardRoute = route.StartsWith("/v1/leaderboards", StringComparison.Ordinal);

        if (isApi) list.Add((400, "Invalid path, query or body; `errors` is keyed by field path."));
        if (requiresKey)
        {
            list.Add((401, "Missing or unknown API key."));
            list.Add((403, "The API key lacks the role this endpoint needs."));
        }
        // Creating with PUT cannot miss; everything else with an id in its path can.
        var creates = method == "PUT";
        if (isApi && route.Contains('{') && !creates) list.Add((404, "Unknown board, player or subscription group."));
        if (method == "PUT" && route == "/v1/leaderboards/{boardId}") list.Add((409, "sortOrder or updatePolicy differ from the existing board's."));
        if (hasBody) list.Add((413, "Request body larger than Http:MaxRequestBodyBytes."));
        if (requiresKey) list.Add((429, "Rate limit of this key exceeded; see Retry-After."));
        // Board reads wait for minSequence; writes need a ready node and a committing store.
        var streams = route.EndsWith("/stream", StringComparison.Ordinal);
        if ((boardRoute && !streams) || route == "/health/ready") list.Add((503, "Not ready, minSequence not reached within waitMs, or the store did not commit; see Retry-After."));
        return list;
    }
}
