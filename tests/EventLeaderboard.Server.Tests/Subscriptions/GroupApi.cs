using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using EventLeaderboard.Server.Tests.Support;

namespace EventLeaderboard.Server.Tests.Subscriptions;

/// <summary>The subscription endpoints as the tests speak them, over <see cref="Api"/>.</summary>
public sealed class GroupApi(Api api)
{
    public Api Api { get; } = api;

    public static string NewGroup() => "g-" + Guid.NewGuid().ToString("N")[..12];

    public async Task<Reply> DefineAsync(string group, object body) =>
        await Reply.ReadAsync(await Api.Client.PutAsJsonAsync($"/v1/subscriptions/{group}", body));

    public async Task<string> CreateAsync(object body, string? group = null)
    {
        group ??= NewGroup();
        (await DefineAsync(group, body)).AssertStatus(HttpStatusCode.Created);
        return group;
    }

    public async Task<Message[]> ReadAsync(string group, string consumer, int count = 100, int waitMs = 0)
    {
        var reply = await Api.PostAsync($"/v1/subscriptions/{group}/read", new { consumer, count, waitMs });
        reply.AssertStatus(HttpStatusCode.OK);
        return reply.Json.GetProperty("messages").EnumerateArray().Select(Message.From).ToArray();
    }

    /// <summary>Reads until <paramref name="expected"/> messages arrived or a few seconds passed.</summary>
    public async Task<List<Message>> ReadAtLeastAsync(string group, string consumer, int expected, bool ack = true)
    {
        var all = new List<Message>();
        var deadline = DateTime.UtcNow.AddSeconds(15);
        while (all.Count < expected && DateTime.UtcNow < deadline)
        {
            var batch = await ReadAsync(group, consumer, 1000, 500);
            all.AddRange(batch);
            if (ack && batch.Length > 0) await AckAsync(group, batch.Select(m => m.Id));
        }
        return all;
    }

    public async Task<int> AckAsync(string group, IEnumerable<string> ids)
    {
        var reply = await Api.PostAsync($"/v1/subscriptions/{group}/ack", new { ids = ids.ToArray() });
        reply.AssertStatus(HttpStatusCode.OK);
        return reply.Json.GetProperty("acknowledged").GetInt32();
    }

    public async Task<JsonElement> StatusAsync(string group)
    {
        var reply = await Api.GetAsync($"/v1/subscriptions/{group}");
        reply.AssertStatus(HttpStatusCode.OK);
        return reply.Json;
    }

    public async Task<Message[]> DeadLettersAsync(string group)
    {
        var reply = await Api.GetAsync($"/v1/subscriptions/{group}/dead-letters");
        reply.AssertStatus(HttpStatusCode.OK);
        return reply.Json.GetProperty("messages").EnumerateArray().Select(Message.From).ToArray();
    }
}

/// <summary>One delivered message, parsed.</summary>
public sealed record Message(string Id, long Sequence, string Kind, string BoardId, int DeliveryCount, JsonElement Data)
{
    public static Message From(JsonElement e) => new(
        e.GetProperty("id").GetString()!, e.GetProperty("sequence").GetInt64(), e.GetProperty("kind").GetString()!,
        e.GetProperty("boardId").GetString()!, e.GetProperty("deliveryCount").GetInt32(), e.GetProperty("data").Clone());

    public string Player => Data.GetProperty("playerId").GetString()!;

    public long? Long(string name) => Data.GetProperty(name).ValueKind == JsonValueKind.Null ? null : Data.GetProperty(name).GetInt64();

    /// <summary>A compact text form for comparisons: <c>kind player rank previousRank</c>.</summary>
    public string Summary => Kind switch
    {
        "rank.newLeader" => $"{Kind} {Player} prev={Data.GetProperty("previousLeader").GetString() ?? "null"}",
        "score.submitted" => $"{Kind} {Player} score={Long("score")} rank={Long("rank")} prev={Long("previousRank")?.ToString() ?? "null"}",
        "board.defined" => Kind,
        "player.removed" => $"{Kind} {Player} rank=null prev={Long("previousRank")}",
        _ => $"{Kind} {Player} rank={Long("rank")?.ToString() ?? "null"} prev={Long("previousRank")?.ToString() ?? "null"}",
    };
}
