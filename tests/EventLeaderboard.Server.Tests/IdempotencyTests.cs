using System.Net;
using EventLeaderboard.Server.Tests.Infrastructure;
using EventLeaderboard.Server.Tests.Support;

namespace EventLeaderboard.Server.Tests;

public sealed class IdempotencyTests(AppFixture fixture) : IClassFixture<AppFixture>
{
    readonly Api _admin = new(fixture.App.ClientWith(LeaderboardApp.AdminKey));

    [Fact]
    public async Task a_retried_submission_returns_the_first_outcome_as_a_duplicate_and_appends_nothing()
    {
        var boardId = await _admin.CreateBoardAsync("descending", "increment");
        var first = await _admin.SubmitOkAsync(boardId, "p", 10, submissionId: "match-1");
        await _admin.SubmitOkAsync(boardId, "q", 50);
        var before = await fixture.App.EventCountAsync();

        var retry = await _admin.SubmitOkAsync(boardId, "p", 10, submissionId: "match-1");

        Assert.True(retry.GetProperty("duplicate").GetBoolean());
        Assert.False(first.GetProperty("duplicate").GetBoolean());
        Assert.Equal(first.GetProperty("score").GetInt64(), retry.GetProperty("score").GetInt64());
        Assert.Equal(first.GetProperty("rank").GetInt64(), retry.GetProperty("rank").GetInt64());
        Assert.Equal(first.GetProperty("sequence").GetInt64(), retry.GetProperty("sequence").GetInt64());
        Assert.Equal(before, await fixture.App.EventCountAsync());
        Assert.Equal(10, (await _admin.GetAsync($"/v1/leaderboards/{boardId}/players/p")).Long("score"));
    }

    [Fact]
    public async Task concurrent_retries_of_one_submission_apply_it_once()
    {
        var boardId = await _admin.CreateBoardAsync("descending", "increment");

        var replies = await Task.WhenAll(Enumerable.Range(0, 20).Select(_ =>
            _admin.SubmitAsync(boardId, new { playerId = "p", score = 7, submissionId = "once" })));

        Assert.All(replies, r => r.AssertStatus(HttpStatusCode.OK));
        Assert.Single(replies, r => !r.Json.GetProperty("duplicate").GetBoolean());
        Assert.Single(replies.Select(r => r.Long("sequence")).Distinct());
        Assert.Equal(7, (await _admin.GetAsync($"/v1/leaderboards/{boardId}/players/p")).Long("score"));
        Assert.Equal(1, await fixture.App.LoggedSubmissionsAsync(boardId, "once"));
    }

    [Fact]
    public async Task concurrent_batches_sharing_submission_ids_append_each_once_and_answer_every_item_with_its_first_outcome()
    {
        var boardId = await _admin.CreateBoardAsync("descending", "increment");
        // Eight batches of the same 50 ids, each in its own order (a step coprime with 50 visits every
        // id once), and one id twice within each batch.
        int[] steps = [1, 3, 7, 9, 11, 13, 17, 19];
        var batches = steps.Select(step =>
        {
            var order = Enumerable.Range(0, 50).Select(i => i * step % 50).ToList();
            order.Add(order[0]);
            return new { scores = order.Select(i => new { playerId = $"p{i}", score = 1, submissionId = $"shared-{i}" }).ToArray() };
        }).ToList();

        var replies = await Task.WhenAll(batches.Select(body => _admin.BatchAsync(boardId, body)));

        Assert.All(replies, r => r.AssertStatus(HttpStatusCode.OK));
        var answers = replies.SelectMany(r => r.Json.GetProperty("results").EnumerateArray()).ToList();
        Assert.Equal(8 * 51, answers.Count);
        foreach (var perId in answers.GroupBy(a => a.GetProperty("playerId").GetString()))
        {
            Assert.Single(perId, a => !a.GetProperty("duplicate").GetBoolean());
            Assert.Single(perId.Select(a => a.GetProperty("sequence").GetInt64()).Distinct());
            Assert.All(perId, a => Assert.Equal(1, a.GetProperty("score").GetInt64()));
        }
        for (var i = 0; i < 50; i++) Assert.Equal(1, await fixture.App.LoggedSubmissionsAsync(boardId, $"shared-{i}"));
    }

    [Fact]
    public async Task a_retried_batch_appends_nothing_and_answers_every_item_as_a_duplicate()
    {
        var boardId = await _admin.CreateBoardAsync("descending", "increment");
        var body = new { scores = new[] { new { playerId = "a", score = 1, submissionId = "b-1" }, new { playerId = "b", score = 2, submissionId = "b-2" } } };
        (await _admin.BatchAsync(boardId, body)).AssertStatus(HttpStatusCode.OK);
        var before = await fixture.App.EventCountAsync();

        var retry = await _admin.BatchAsync(boardId, body);

        retry.AssertStatus(HttpStatusCode.OK);
        Assert.All(retry.Json.GetProperty("results").EnumerateArray(), r => Assert.True(r.GetProperty("duplicate").GetBoolean()));
        Assert.Equal(before, await fixture.App.EventCountAsync());
    }

    [Fact]
    public async Task the_same_submission_id_on_another_board_is_a_different_submission()
    {
        var one = await _admin.CreateBoardAsync();
        var two = await _admin.CreateBoardAsync();
        await _admin.SubmitOkAsync(one, "p", 1, submissionId: "shared");

        var other = await _admin.SubmitOkAsync(two, "p", 1, submissionId: "shared");

        Assert.False(other.GetProperty("duplicate").GetBoolean());
    }

    [Fact]
    public async Task idempotency_survives_a_restart_because_it_is_rebuilt_from_the_log()
    {
        var database = await TestDatabase.CreateDatabaseAsync();
        string boardId;
        System.Text.Json.JsonElement first;
        await using (var before = await new LeaderboardApp(database, nodeName: "restart").StartAsync())
        {
            var api = new Api(before.ClientWith(LeaderboardApp.AdminKey));
            boardId = await api.CreateBoardAsync("descending", "increment");
            first = await api.SubmitOkAsync(boardId, "p", 5, submissionId: "before-restart");
        }

        await using var after = await new LeaderboardApp(database, nodeName: "restart").StartAsync();
        var restarted = new Api(after.ClientWith(LeaderboardApp.AdminKey));
        var events = await after.EventCountAsync();
        var retry = await restarted.SubmitOkAsync(boardId, "p", 5, submissionId: "before-restart");

        Assert.True(retry.GetProperty("duplicate").GetBoolean());
        Assert.Equal(first.GetProperty("sequence").GetInt64(), retry.GetProperty("sequence").GetInt64());
        Assert.Equal(events, await after.EventCountAsync());
        Assert.Equal(5, (await restarted.GetAsync($"/v1/leaderboards/{boardId}/players/p")).Long("score"));
    }
}
