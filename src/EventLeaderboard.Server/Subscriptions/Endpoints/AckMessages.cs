using EventLeaderboard.Server.Auth;
using EventLeaderboard.Server.Http;
using FluentValidation;
using Microsoft.AspNetCore.Authorization;
using Wolverine.Http;

namespace EventLeaderboard.Server.Subscriptions.Endpoints;

/// <summary>Body of <c>POST /v1/subscriptions/{group}/ack</c>: <c>{ ids: [...] }</c> (1-10,000 message ids).</summary>
public sealed record AckMessages(string[]? Ids)
{
    public const int MaxIds = 10_000;
    public const int MaxIdLength = 300;

    public sealed class Validator : AbstractValidator<AckMessages>
    {
        public Validator()
        {
            RuleFor(x => x.Ids).NotNull().Must(ids => ids!.Length is > 0 and <= MaxIds).WithMessage($"Must list 1-{MaxIds} message ids.");
            // One rule that walks the array: a FluentValidation rule per element cost microseconds per
            // id, a large share of a 1000-id ack (the same finding as for score batches).
            RuleFor(x => x.Ids).Custom((ids, context) =>
            {
                if (ids is null) return;
                for (var i = 0; i < ids.Length; i++)
                    if (ids[i] is not { Length: > 0 and <= MaxIdLength } id || string.IsNullOrWhiteSpace(id))
                        context.AddFailure($"ids[{i}]", $"Must be a message id of 1-{MaxIdLength} characters.");
            });
        }
    }
}

public static class AckMessagesEndpoint
{
    /// <summary>
    /// Acknowledges delivered messages. <c>acknowledged</c> counts the ids that were in flight; ids
    /// already acknowledged, unknown, or taken over by another consumer after their ack timeout
    /// are not counted (the latter will be delivered again).
    /// </summary>
    [WolverinePost("/v1/subscriptions/{group}/ack")]
    [Authorize(Policy = Roles.Read)]
    public static async Task<IResult> Post(string group, HttpContext context, RequestBody body, IValidator<AckMessages> validator, ConsumerGroupStore store)
    {
        if (GroupName.Check(group) is { } badName) return badName;
        var (request, problem) = await body.ReadAsync(context, SubscriptionJsonContext.Default.AckMessages, validator);
        if (problem is not null) return problem;
        var acknowledged = await store.AckAsync(group, request!.Ids!, context.RequestAborted);
        return acknowledged is { } n ? Results.Json(new { acknowledged = n }) : GroupName.NotFound(group);
    }
}
