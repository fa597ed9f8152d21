using System.Text.Json;
using EventLeaderboard.Server.Auth;
using EventLeaderboard.Server.Http;
using EventLeaderboard.Server.Projection;
using FluentValidation;
using Microsoft.AspNetCore.Authorization;
using Wolverine.Http;

namespace EventLeaderboard.Server.Subscriptions.Endpoints;

/// <summary>Body of <c>POST /v1/subscriptions/{group}/reset</c>: <c>{ startAt }</c>.</summary>
public sealed record ResetGroup(JsonElement? StartAt)
{
    public sealed class Validator : AbstractValidator<ResetGroup>
    {
        public Validator() => RuleFor(x => x.StartAt).NotNull().Must(Endpoints.StartAt.IsValid).WithMessage(Endpoints.StartAt.Message);
    }
}

public static class GroupAdminEndpoints
{
    /// <summary>Moves the group to <c>startAt</c>. Pending entries are discarded; dead letters stay.</summary>
    [WolverinePost("/v1/subscriptions/{group}/reset")]
    [Authorize(Policy = Roles.Admin)]
    public static async Task<IResult> Reset(string group, HttpContext context, RequestBody body, IValidator<ResetGroup> validator,
        ConsumerGroupStore store, LeaderboardProjection projection)
    {
        if (GroupName.Check(group) is { } badName) return badName;
        var (request, problem) = await body.ReadAsync(context, SubscriptionJsonContext.Default.ResetGroup, validator);
        if (problem is not null) return problem;
        // "end" means this node's applied position: meaningless until the start-up replay caught up.
        if (!projection.IsReady) return ReadGate.NotReady(1);
        var start = StartAt.Resolve(request!.StartAt, projection.AppliedSequence);
        return await store.ResetAsync(group, start, context.RequestAborted)
            ? Results.Json(new { group, position = start.Position })
            : GroupName.NotFound(group);
    }

    /// <summary>Deletes the group, its pending entries and dead letters: 204.</summary>
    [WolverineDelete("/v1/subscriptions/{group}")]
    [Authorize(Policy = Roles.Admin)]
    public static async Task<IResult> Delete(string group, HttpContext context, ConsumerGroupStore store)
    {
        if (GroupName.Check(group) is { } badName) return badName;
        return await store.DeleteAsync(group, context.RequestAborted) ? Results.NoContent() : GroupName.NotFound(group);
    }
}
