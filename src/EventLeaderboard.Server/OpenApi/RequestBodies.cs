using EventLeaderboard.Server.Features;
using EventLeaderboard.Server.Subscriptions.Endpoints;

namespace EventLeaderboard.Server.OpenApi;

/// <summary>
/// Body types of the endpoints that parse their body themselves (source-generated JSON, size limit,
/// problem documents), which hides the type from ASP.NET Core's API explorer.
/// </summary>
internal static class RequestBodies
{
    /// <returns>The body type and its required fields (the records' constructor parameters are all nullable on purpose, so the validator can name what is missing).</returns>
    public static (Type Type, string[] Required)? For(string method, string route) => (method, route) switch
    {
        ("PUT", "/v1/leaderboards/{boardId}") => (typeof(DefineBoard), ["sortOrder", "updatePolicy"]),
        ("POST", "/v1/leaderboards/{boardId}/scores") => (typeof(SubmitScore), ["playerId", "score"]),
        ("POST", "/v1/leaderboards/{boardId}/scores/batch") => (typeof(SubmitScoreBatch), ["scores"]),
        ("POST", "/v1/leaderboards/{boardId}/players/lookup") => (typeof(LookupPlayers), ["playerIds"]),
        // boards is required only when the group is created (an update may omit it), so it is not listed.
        ("PUT", "/v1/subscriptions/{group}") => (typeof(DefineGroup), []),
        ("POST", "/v1/subscriptions/{group}/read") => (typeof(ReadMessages), ["consumer"]),
        ("POST", "/v1/subscriptions/{group}/ack") => (typeof(AckMessages), ["ids"]),
        ("POST", "/v1/subscriptions/{group}/reset") => (typeof(ResetGroup), ["startAt"]),
        _ => null,
    };
}
