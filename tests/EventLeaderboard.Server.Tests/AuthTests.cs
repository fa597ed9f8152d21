using System.Net;
using EventLeaderboard.Server.Tests.Infrastructure;
using EventLeaderboard.Server.Tests.Support;

namespace EventLeaderboard.Server.Tests;

public sealed class AuthTests(AppFixture fixture) : IClassFixture<AppFixture>
{
    readonly LeaderboardApp _app = fixture.App;

    [Theory]
    [InlineData(null)]
    [InlineData("wrong-key")]
    [InlineData("dev-admin-key")] // the documented development key works only in Development
    public async Task a_missing_or_unknown_key_is_a_401_problem(string? key)
    {
        var api = new Api(_app.ClientWith(key));

        (await api.GetAsync("/v1/leaderboards")).AssertProblem(HttpStatusCode.Unauthorized);
        (await api.SubmitAsync("any", new { playerId = "p", score = 1 })).AssertProblem(HttpStatusCode.Unauthorized);
    }

    [Fact]
    public async Task a_key_without_the_role_is_a_403_problem_and_appends_nothing()
    {
        var boardId = await new Api(_app.ClientWith(LeaderboardApp.AdminKey)).CreateBoardAsync();
        var reader = new Api(_app.ClientWith(LeaderboardApp.ReadKey));
        var ingester = new Api(_app.ClientWith(LeaderboardApp.IngestKey));
        var before = await _app.EventCountAsync();

        (await reader.SubmitAsync(boardId, new { playerId = "p", score = 1 })).AssertProblem(HttpStatusCode.Forbidden);
        (await ingester.GetAsync($"/v1/leaderboards/{boardId}/top")).AssertProblem(HttpStatusCode.Forbidden);
        (await ingester.PutBoardAsync(boardId, new { sortOrder = "descending", updatePolicy = "best" })).AssertProblem(HttpStatusCode.Forbidden);
        (await ingester.DeleteAsync($"/v1/leaderboards/{boardId}/players/p")).AssertProblem(HttpStatusCode.Forbidden);

        Assert.Equal(before, await _app.EventCountAsync());
    }

    [Fact]
    public async Task the_key_is_also_accepted_in_the_x_api_key_header_and_admin_implies_the_other_roles()
    {
        var client = _app.CreateClient();
        client.DefaultRequestHeaders.Add("X-Api-Key", LeaderboardApp.AdminKey);
        var api = new Api(client);

        var boardId = await api.CreateBoardAsync();
        await api.SubmitOkAsync(boardId, "p", 1);
        (await api.GetAsync($"/v1/leaderboards/{boardId}/top")).AssertStatus(HttpStatusCode.OK);
    }

    [Fact]
    public async Task a_key_that_worked_before_does_not_make_a_near_miss_of_it_work()
    {
        var reader = new Api(_app.ClientWith(LeaderboardApp.ReadKey));
        (await reader.GetAsync("/v1/leaderboards")).AssertStatus(HttpStatusCode.OK);
        (await reader.GetAsync("/v1/leaderboards")).AssertStatus(HttpStatusCode.OK);

        foreach (var nearMiss in new[] { LeaderboardApp.ReadKey + "x", LeaderboardApp.ReadKey[..^1], LeaderboardApp.ReadKey.ToUpperInvariant() })
            (await new Api(_app.ClientWith(nearMiss)).GetAsync("/v1/leaderboards")).AssertProblem(HttpStatusCode.Unauthorized);
        // The read key, verified and remembered above, still has only its own role.
        (await reader.SubmitAsync("any", new { playerId = "p", score = 1 })).AssertProblem(HttpStatusCode.Forbidden);
    }

    [Fact]
    public async Task health_endpoints_need_no_key()
    {
        var api = new Api(_app.ClientWith(null));

        (await api.GetAsync("/health/live")).AssertStatus(HttpStatusCode.OK);
        (await api.GetAsync("/health/ready")).AssertStatus(HttpStatusCode.OK);
    }

    [Fact]
    public async Task with_anonymous_read_clients_without_a_key_can_read_but_not_write()
    {
        await using var app = await new LeaderboardApp(_app.ConnectionString, new Dictionary<string, string?> { ["Auth:AnonymousRead"] = "true" }, "node-anon").StartAsync();
        var anonymous = new Api(app.ClientWith(null));

        (await anonymous.GetAsync("/v1/leaderboards")).AssertStatus(HttpStatusCode.OK);
        (await anonymous.SubmitAsync("any", new { playerId = "p", score = 1 })).AssertProblem(HttpStatusCode.Unauthorized);
    }

    [Fact]
    public async Task with_anonymous_read_an_unknown_key_is_still_refused()
    {
        await using var app = await new LeaderboardApp(_app.ConnectionString, new Dictionary<string, string?> { ["Auth:AnonymousRead"] = "true" }, "node-anon-typo").StartAsync();
        var mistyped = new Api(app.ClientWith("no-such-key"));

        (await mistyped.GetAsync("/v1/leaderboards")).AssertProblem(HttpStatusCode.Unauthorized);
    }

    [Fact]
    public async Task outside_development_a_node_without_keys_refuses_to_start()
    {
        await using var app = new LeaderboardApp(await TestDatabase.CreateDatabaseAsync(), nodeName: "node-open", withKeys: false);

        var error = await Assert.ThrowsAnyAsync<Exception>(() => app.StartAsync());

        Assert.Contains("No API keys are configured", error.ToString());
    }
}
