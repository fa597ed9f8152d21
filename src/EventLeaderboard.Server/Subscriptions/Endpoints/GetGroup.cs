using System.Text.Json;
using EventLeaderboard.Server.Auth;
using EventLeaderboard.Server.Http;
using Microsoft.AspNetCore.Authorization;
using Wolverine.Http;

namespace EventLeaderboard.Server.Subscriptions.Endpoints;

public static class GetGroupEndpoint
{
    /// <summary>
    /// <c>position</c>: the log position up to which the group has taken messages from the log;
    /// <c>headSequence</c>: the newest position with messages; <c>lag</c>: log events with messages
    /// not taken yet; <c>pending</c>: taken and not acknowledged (delivered or queued for a holder).
    /// </summary>
    [WolverineGet("/v1/subscriptions/{group}")]
    [Authorize(Policy = Roles.Read)]
    public static async Task<IResult> Get(string group, HttpContext context, ConsumerGroupStore store)
    {
        if (GroupName.Check(group) is { } badName) return badName;
        var status = await store.StatusAsync(group, context.RequestAborted);
        return status is null ? GroupName.NotFound(group) : new GroupStatusResponse(status);
    }
}

public sealed class GroupStatusResponse(GroupStatus s) : JsonResponse
{
    protected override void Write(Utf8JsonWriter writer)
    {
        writer.WriteStartObject();
        writer.WriteString("group", s.Group);
        writer.WriteNumber("position", s.Position);
        writer.WriteNumber("headSequence", s.HeadSequence);
        writer.WriteNumber("lag", s.Lag);
        writer.WriteNumber("pending", s.Pending);
        writer.WriteStartArray("consumers");
        foreach (var c in s.Consumers)
        {
            writer.WriteStartObject();
            writer.WriteString("name", c.Name);
            writer.WriteNumber("pending", c.Pending);
            writer.WriteNumber("idleMs", c.IdleMs);
            writer.WriteEndObject();
        }
        writer.WriteEndArray();
        writer.WriteNumber("deadLetters", s.DeadLetters);
        writer.WriteEndObject();
    }
}
