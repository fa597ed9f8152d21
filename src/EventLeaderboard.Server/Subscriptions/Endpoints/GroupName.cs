using EventLeaderboard.Server.Http;

namespace EventLeaderboard.Server.Subscriptions.Endpoints;

/// <summary>Group and consumer names: 1-64 chars of [A-Za-z0-9_.:-]; names starting with '_' belong to the server.</summary>
public static class GroupName
{
    public static ProblemResult? Check(string group) =>
        Validation.IsValidKey(group) ? null : ProblemResult.Validation("group", Validation.KeyMessage);

    public static ProblemResult? CheckDefinable(string group) =>
        Check(group) ?? (group.StartsWith('_') ? ProblemResult.Validation("group", "Names starting with '_' are reserved for the server's own groups.") : null);

    public static ProblemResult NotFound(string group) =>
        new(StatusCodes.Status404NotFound, "Subscription group not found", $"No subscription group '{group}'.");
}
