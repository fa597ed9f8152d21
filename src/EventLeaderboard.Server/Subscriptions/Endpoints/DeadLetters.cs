using EventLeaderboard.Server.Auth;
using EventLeaderboard.Server.Http;
using Microsoft.AspNetCore.Authorization;
using Wolverine.Http;

namespace EventLeaderboard.Server.Subscriptions.Endpoints;

public static class DeadLettersEndpoints
{
    public const int MaxLimit = 1000;

    /// <summary><c>?limit=100</c> (1-1000): the oldest dead letters, in log order, as <c>{ messages: [...] }</c>.</summary>
    [WolverineGet("/v1/subscriptions/{group}/dead-letters")]
    [Authorize(Policy = Roles.Read)]
    public static async Task<IResult> Get(string group, HttpContext context, ConsumerGroupStore store)
    {
        if (GroupName.Check(group) is { } badName) return badName;
        var query = new QueryParameters(context.Request);
        var limit = query.Int("limit") ?? 100;
        if (query.Errors is { } errors) return ProblemResult.Validation(errors);
        if (limit is < 1 or > MaxLimit) return ProblemResult.Validation("limit", $"Must be between 1 and {MaxLimit}.");
        var dead = await store.DeadLettersAsync(group, limit, context.RequestAborted);
        return dead is null ? GroupName.NotFound(group) : new MessagesResponse(dead);
    }

    /// <summary>
    /// Puts every dead letter back in delivery with a fresh delivery count (the next delivery has
    /// <c>deliveryCount</c> 1), answering <c>{ redelivered }</c>.
    /// </summary>
    [WolverinePost("/v1/subscriptions/{group}/dead-letters/redeliver")]
    [Authorize(Policy = Roles.Read)]
    public static async Task<IResult> Redeliver(string group, HttpContext context, ConsumerGroupStore store)
    {
        if (GroupName.Check(group) is { } badName) return badName;
        var count = await store.RedeliverDeadLettersAsync(group, context.RequestAborted);
        return count is { } n ? Results.Json(new { redelivered = n }) : GroupName.NotFound(group);
    }
}
