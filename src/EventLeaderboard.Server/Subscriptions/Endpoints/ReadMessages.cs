using System.Text.Json;
using EventLeaderboard.Server.Auth;
using EventLeaderboard.Server.Http;
using FluentValidation;
using Microsoft.AspNetCore.Authorization;
using Wolverine.Http;

namespace EventLeaderboard.Server.Subscriptions.Endpoints;

/// <summary>Body of <c>POST /v1/subscriptions/{group}/read</c>: <c>{ consumer, count: 100, waitMs: 5000 }</c>.</summary>
public sealed record ReadMessages(string? Consumer, int? Count, int? WaitMs)
{
    public const int MaxCount = 1000;
    public const int MaxWaitMs = 60_000;

    public sealed class Validator : AbstractValidator<ReadMessages>
    {
        public Validator()
        {
            RuleFor(x => x.Consumer).MustBeKey();
            RuleFor(x => x.Count).InclusiveBetween(1, MaxCount);
            RuleFor(x => x.WaitMs).InclusiveBetween(0, MaxWaitMs);
        }
    }
}

public static class ReadMessagesEndpoint
{
    /// <summary>Hands out up to <c>count</c> messages, waiting up to <c>waitMs</c> while none are available.</summary>
    [WolverinePost("/v1/subscriptions/{group}/read")]
    [Authorize(Policy = Roles.Read)]
    public static async Task<IResult> Post(string group, HttpContext context, RequestBody body, IValidator<ReadMessages> validator, GroupReader reader)
    {
        if (GroupName.Check(group) is { } badName) return badName;
        var (request, problem) = await body.ReadAsync(context, SubscriptionJsonContext.Default.ReadMessages, validator);
        if (problem is not null) return problem;
        var messages = await reader.ReadAsync(group, request!.Consumer!, request.Count ?? 100,
            TimeSpan.FromMilliseconds(request.WaitMs ?? 5000), context.RequestAborted);
        return messages is null ? GroupName.NotFound(group) : new MessagesResponse(messages);
    }
}

/// <summary><c>{ messages: [ { id, sequence, kind, boardId, deliveryCount, data } ] }</c>.</summary>
public sealed class MessagesResponse(IReadOnlyList<DeliveredMessage> messages) : JsonResponse
{
    protected override void Write(Utf8JsonWriter writer)
    {
        writer.WriteStartObject();
        writer.WriteStartArray("messages");
        foreach (var m in messages) MessageJson.Write(writer, m);
        writer.WriteEndArray();
        writer.WriteEndObject();
    }
}
