using System.Net;
using System.Text.Json;
using EventLeaderboard.Server.Tests.Support;

namespace EventLeaderboard.Server.Tests.Operations;

public sealed class OpenApiDocumentTests(AppFixture fixture) : IClassFixture<AppFixture>
{
    readonly LeaderboardApp _app = fixture.App;

    /// <summary>
    /// Every operation of the API contract (method, path) with the problems it must list. The
    /// audit history (<c>GET .../players/{playerId}/history</c>) is not served yet; add it here when it is.
    /// </summary>
    public static TheoryData<string, string, int[]> ContractOperations => new()
    {
        { "put", "/v1/leaderboards/{boardId}", [400, 401, 403, 409, 413, 429, 503] },
        { "get", "/v1/leaderboards", [400, 401, 403, 429, 503] },
        { "get", "/v1/leaderboards/{boardId}", [400, 401, 403, 404, 429, 503] },
        { "post", "/v1/leaderboards/{boardId}/scores", [400, 401, 403, 404, 413, 429, 503] },
        { "post", "/v1/leaderboards/{boardId}/scores/batch", [400, 401, 403, 404, 413, 429, 503] },
        { "get", "/v1/leaderboards/{boardId}/top", [400, 401, 403, 404, 429, 503] },
        { "get", "/v1/leaderboards/{boardId}/players/{playerId}", [400, 401, 403, 404, 429, 503] },
        { "get", "/v1/leaderboards/{boardId}/players/{playerId}/around", [400, 401, 403, 404, 429, 503] },
        { "get", "/v1/leaderboards/{boardId}/range", [400, 401, 403, 404, 429, 503] },
        { "post", "/v1/leaderboards/{boardId}/players/lookup", [400, 401, 403, 404, 413, 429, 503] },
        { "delete", "/v1/leaderboards/{boardId}/players/{playerId}", [400, 401, 403, 404, 429, 503] },
        { "post", "/v1/admin/leaderboards/{boardId}/verify", [400, 401, 403, 404, 429] },
        { "get", "/v1/leaderboards/{boardId}/stream", [400, 401, 403, 404, 429] },
        { "put", "/v1/subscriptions/{group}", [400, 401, 403, 413, 429] },
        { "get", "/v1/subscriptions/{group}", [400, 401, 403, 404, 429] },
        { "delete", "/v1/subscriptions/{group}", [400, 401, 403, 404, 429] },
        { "post", "/v1/subscriptions/{group}/read", [400, 401, 403, 404, 413, 429] },
        { "post", "/v1/subscriptions/{group}/ack", [400, 401, 403, 404, 413, 429] },
        { "get", "/v1/subscriptions/{group}/dead-letters", [400, 401, 403, 404, 429] },
        { "post", "/v1/subscriptions/{group}/dead-letters/redeliver", [400, 401, 403, 404, 413, 429] },
        { "post", "/v1/subscriptions/{group}/reset", [400, 401, 403, 404, 413, 429] },
        { "get", "/health/ready", [503] },
    };

    [Theory]
    [MemberData(nameof(ContractOperations))]
    public async Task the_document_lists_every_contract_operation_with_its_problem_responses(string method, string path, int[] problems)
    {
        var document = await DocumentAsync();

        Assert.True(document.GetProperty("paths").TryGetProperty(path, out var item), $"{path} is missing from the OpenAPI document");
        Assert.True(item.TryGetProperty(method, out var operation), $"{method.ToUpperInvariant()} {path} is missing");
        var responses = operation.GetProperty("responses");
        foreach (var status in problems)
        {
            Assert.True(responses.TryGetProperty(status.ToString(), out var response), $"{method.ToUpperInvariant()} {path} does not list {status}");
            Assert.True(response.GetProperty("content").TryGetProperty("application/problem+json", out _),
                $"{method.ToUpperInvariant()} {path} {status} is not application/problem+json");
        }
    }

    [Fact]
    public async Task endpoints_that_need_a_key_declare_the_bearer_scheme_and_health_does_not()
    {
        var document = await DocumentAsync();
        var paths = document.GetProperty("paths");

        Assert.Equal("bearer", document.GetProperty("components").GetProperty("securitySchemes").GetProperty("ApiKey").GetProperty("scheme").GetString());
        Assert.True(paths.GetProperty("/v1/leaderboards/{boardId}/top").GetProperty("get").TryGetProperty("security", out _));
        Assert.False(paths.GetProperty("/health/live").GetProperty("get").TryGetProperty("security", out _));
    }

    [Fact]
    public async Task the_submission_body_is_described_with_its_fields()
    {
        var document = await DocumentAsync();

        var body = document.GetProperty("paths").GetProperty("/v1/leaderboards/{boardId}/scores").GetProperty("post").GetProperty("requestBody");
        var schema = Resolve(document, body.GetProperty("content").GetProperty("application/json").GetProperty("schema"));
        Assert.True(schema.GetProperty("properties").TryGetProperty("playerId", out _));
        Assert.True(schema.GetProperty("properties").TryGetProperty("score", out _));
    }

    [Theory]
    [InlineData("/v1/leaderboards/{boardId}", "put", "sortOrder")]
    [InlineData("/v1/leaderboards/{boardId}/scores/batch", "post", "scores")]
    [InlineData("/v1/leaderboards/{boardId}/players/lookup", "post", "playerIds")]
    [InlineData("/v1/subscriptions/{group}", "put", "boards")]
    [InlineData("/v1/subscriptions/{group}", "put", "webhook")]
    [InlineData("/v1/subscriptions/{group}/read", "post", "consumer")]
    [InlineData("/v1/subscriptions/{group}/read", "post", "waitMs")]
    [InlineData("/v1/subscriptions/{group}/ack", "post", "ids")]
    [InlineData("/v1/subscriptions/{group}/reset", "post", "startAt")]
    public async Task every_endpoint_that_takes_a_body_describes_its_fields(string path, string method, string field)
    {
        var document = await DocumentAsync();

        var body = document.GetProperty("paths").GetProperty(path).GetProperty(method).GetProperty("requestBody");
        var schema = Resolve(document, body.GetProperty("content").GetProperty("application/json").GetProperty("schema"));
        Assert.True(schema.GetProperty("properties").TryGetProperty(field, out _), $"{method} {path} lacks '{field}'");
    }

    [Fact]
    public async Task the_document_and_the_reference_page_need_no_key()
    {
        var client = _app.ClientWith(null);

        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/openapi/v1.json")).StatusCode);
        var docs = await client.GetAsync("/docs");
        Assert.Equal(HttpStatusCode.OK, docs.StatusCode);
        Assert.Contains("scalar", await docs.Content.ReadAsStringAsync(), StringComparison.OrdinalIgnoreCase);
    }

    async Task<JsonElement> DocumentAsync()
    {
        var text = await _app.ClientWith(null).GetStringAsync("/openapi/v1.json");
        return JsonDocument.Parse(text).RootElement.Clone();
    }

    static JsonElement Resolve(JsonElement document, JsonElement schema)
    {
        if (!schema.TryGetProperty("$ref", out var reference)) return schema;
        var name = reference.GetString()!.Split('/')[^1];
        return document.GetProperty("components").GetProperty("schemas").GetProperty(name);
    }
}
