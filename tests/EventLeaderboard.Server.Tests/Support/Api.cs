using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;

namespace EventLeaderboard.Server.Tests.Support;

/// <summary>The HTTP API as the tests speak it: raw requests in, parsed JSON out.</summary>
public sealed class Api(HttpClient client)
{
    public HttpClient Client { get; } = client;

    public static string NewBoardId() => "b-" + Guid.NewGuid().ToString("N")[..12];

    public Task<Reply> PutBoardAsync(string boardId, object body) => SendAsync(HttpMethod.Put, $"/v1/leaderboards/{boardId}", body);

    public async Task<string> CreateBoardAsync(string sortOrder = "descending", string updatePolicy = "best", object? extra = null)
    {
        var boardId = NewBoardId();
        var body = new Dictionary<string, object?> { ["sortOrder"] = sortOrder, ["updatePolicy"] = updatePolicy };
        if (extra is not null)
            foreach (var p in extra.GetType().GetProperties()) body[p.Name] = p.GetValue(extra);
        var reply = await PutBoardAsync(boardId, body);
        reply.AssertStatus(HttpStatusCode.Created);
        return boardId;
    }

    public Task<Reply> SubmitAsync(string boardId, object body) => SendAsync(HttpMethod.Post, $"/v1/leaderboards/{boardId}/scores", body);

    public async Task<JsonElement> SubmitOkAsync(string boardId, string playerId, long score, string? submissionId = null, object? metadata = null)
    {
        var reply = await SubmitAsync(boardId, new { playerId, score, submissionId, metadata });
        reply.AssertStatus(HttpStatusCode.OK);
        return reply.Json;
    }

    public Task<Reply> BatchAsync(string boardId, object body) => SendAsync(HttpMethod.Post, $"/v1/leaderboards/{boardId}/scores/batch", body);

    public Task<Reply> GetAsync(string path) => SendAsync(HttpMethod.Get, path, null);

    public Task<Reply> DeleteAsync(string path) => SendAsync(HttpMethod.Delete, path, null);

    public Task<Reply> PostAsync(string path, object body) => SendAsync(HttpMethod.Post, path, body);

    /// <summary>Sends a body as given, byte for byte (for malformed JSON).</summary>
    public async Task<Reply> PostRawAsync(string path, string body)
    {
        using var content = new StringContent(body, Encoding.UTF8, "application/json");
        return await Reply.ReadAsync(await Client.PostAsync(path, content));
    }

    async Task<Reply> SendAsync(HttpMethod method, string path, object? body)
    {
        using var request = new HttpRequestMessage(method, path);
        if (body is not null) request.Content = JsonContent.Create(body, options: JsonOptions);
        return await Reply.ReadAsync(await Client.SendAsync(request));
    }

    static readonly JsonSerializerOptions JsonOptions = new(JsonSerializerDefaults.Web);
}

/// <summary>A response with its parsed body.</summary>
public sealed record Reply(HttpStatusCode Status, string? ContentType, JsonElement Json, HttpResponseMessage Response)
{
    public static async Task<Reply> ReadAsync(HttpResponseMessage response)
    {
        var text = await response.Content.ReadAsStringAsync();
        var json = text.Length == 0 ? default : JsonDocument.Parse(text).RootElement.Clone();
        return new Reply(response.StatusCode, response.Content.Headers.ContentType?.MediaType, json, response);
    }

    public void AssertStatus(HttpStatusCode expected)
    {
        if (Status != expected) Assert.Fail($"Expected {(int)expected} {expected}, got {(int)Status} {Status}: {Json}");
    }

    /// <summary>Asserts an RFC 9457 problem document with this status.</summary>
    public void AssertProblem(HttpStatusCode expected)
    {
        AssertStatus(expected);
        Assert.Equal("application/problem+json", ContentType);
        Assert.Equal((int)expected, Json.GetProperty("status").GetInt32());
        Assert.False(string.IsNullOrEmpty(Json.GetProperty("title").GetString()));
    }

    /// <summary>Asserts a 400 problem whose <c>errors</c> name the given field path.</summary>
    public void AssertValidationError(string field)
    {
        AssertProblem(HttpStatusCode.BadRequest);
        var errors = Json.GetProperty("errors");
        Assert.True(errors.TryGetProperty(field, out _), $"Expected an error for '{field}', got {errors}");
    }

    public long Long(string name) => Json.GetProperty(name).GetInt64();

    public long? NullableLong(string name) => Json.GetProperty(name).ValueKind == JsonValueKind.Null ? null : Json.GetProperty(name).GetInt64();

    /// <summary>(playerId, score, rank) of each entry.</summary>
    public (string Player, long Score, long Rank)[] Entries() =>
        Json.GetProperty("entries").EnumerateArray()
            .Select(e => (e.GetProperty("playerId").GetString()!, e.GetProperty("score").GetInt64(), e.GetProperty("rank").GetInt64()))
            .ToArray();
}
