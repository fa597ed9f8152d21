using System.Net;
using System.Text.Json;
using EventLeaderboard.Server.Tests.Support;

namespace EventLeaderboard.Server.Tests;

public sealed class ScoreSubmissionTests(AppFixture fixture) : IClassFixture<AppFixture>
{
    readonly Api _admin = new(fixture.App.ClientWith(LeaderboardApp.AdminKey));
    readonly Api _ingest = new(fixture.App.ClientWith(LeaderboardApp.IngestKey));

    [Theory]
    [InlineData("descending", "best", new long[] { 10, 5, 20 }, new long[] { 10, 10, 20 }, new[] { true, false, true })]
    [InlineData("ascending", "best", new long[] { 10, 5, 20 }, new long[] { 10, 5, 5 }, new[] { true, true, false })]
    [InlineData("descending", "latest", new long[] { 10, 5, 5, 20 }, new long[] { 10, 5, 5, 20 }, new[] { true, true, false, true })]
    [InlineData("ascending", "latest", new long[] { 10, 20, 5 }, new long[] { 10, 20, 5 }, new[] { true, true, true })]
    [InlineData("descending", "increment", new long[] { 10, -3, 0, 5 }, new long[] { 10, 7, 7, 12 }, new[] { true, true, false, true })]
    [InlineData("ascending", "increment", new long[] { -10, 4 }, new long[] { -10, -6 }, new[] { true, true })]
    public async Task each_policy_derives_the_stored_score_from_the_submissions(string sortOrder, string policy, long[] submitted, long[] expectedScores, bool[] expectedChanged)
    {
        var boardId = await _admin.CreateBoardAsync(sortOrder, policy);

        for (var i = 0; i < submitted.Length; i++)
        {
            var answer = await _ingest.SubmitOkAsync(boardId, "player", submitted[i]);
            Assert.Equal(expectedScores[i], answer.GetProperty("score").GetInt64());
            Assert.Equal(expectedChanged[i], answer.GetProperty("changed").GetBoolean());
            Assert.Equal(1, answer.GetProperty("rank").GetInt64());
            Assert.False(answer.GetProperty("duplicate").GetBoolean());
        }
        var player = await _admin.GetAsync($"/v1/leaderboards/{boardId}/players/player");
        Assert.Equal(expectedScores[^1], player.Long("score"));
    }

    [Theory]
    [InlineData("descending", new[] { "b", "c", "a" })]
    [InlineData("ascending", new[] { "a", "c", "b" })]
    public async Task players_are_ranked_by_score_in_the_board_order(string sortOrder, string[] expectedOrder)
    {
        var boardId = await _admin.CreateBoardAsync(sortOrder, "best");
        await _ingest.SubmitOkAsync(boardId, "a", 10);
        await _ingest.SubmitOkAsync(boardId, "b", 20);
        await _ingest.SubmitOkAsync(boardId, "c", 15);

        var top = await _admin.GetAsync($"/v1/leaderboards/{boardId}/top?limit=10");

        Assert.Equal(expectedOrder, top.Entries().Select(e => e.Player));
        Assert.Equal([1L, 2L, 3L], top.Entries().Select(e => e.Rank));
    }

    [Fact]
    public async Task when_a_player_improves_their_score_their_rank_rises_and_the_answer_says_from_where()
    {
        var boardId = await _admin.CreateBoardAsync();
        await _ingest.SubmitOkAsync(boardId, "a", 30);
        await _ingest.SubmitOkAsync(boardId, "b", 20);
        var first = await _ingest.SubmitOkAsync(boardId, "c", 10);
        Assert.Equal(3, first.GetProperty("rank").GetInt64());
        Assert.Equal(JsonValueKind.Null, first.GetProperty("previousRank").ValueKind);

        var improved = await _ingest.SubmitOkAsync(boardId, "c", 25);

        Assert.Equal(2, improved.GetProperty("rank").GetInt64());
        Assert.Equal(3, improved.GetProperty("previousRank").GetInt64());
        Assert.True(improved.GetProperty("sequence").GetInt64() > first.GetProperty("sequence").GetInt64());
    }

    [Fact]
    public async Task equal_scores_rank_by_who_reached_the_score_first()
    {
        var boardId = await _admin.CreateBoardAsync("descending", "best");
        await _ingest.SubmitOkAsync(boardId, "early", 10);
        var late = await _ingest.SubmitOkAsync(boardId, "late", 10);
        Assert.Equal(2, late.GetProperty("rank").GetInt64());

        // Re-submitting the same score changes nothing, so "early" keeps its tie position.
        var again = await _ingest.SubmitOkAsync(boardId, "early", 10);
        Assert.False(again.GetProperty("changed").GetBoolean());

        var top = await _admin.GetAsync($"/v1/leaderboards/{boardId}/top");
        Assert.Equal(["early", "late"], top.Entries().Select(e => e.Player));
    }

    [Fact]
    public async Task a_player_who_reaches_a_tied_score_later_ranks_below_on_a_latest_board()
    {
        var boardId = await _admin.CreateBoardAsync("descending", "latest");
        await _ingest.SubmitOkAsync(boardId, "a", 10);
        await _ingest.SubmitOkAsync(boardId, "b", 10);
        await _ingest.SubmitOkAsync(boardId, "a", 9);

        var back = await _ingest.SubmitOkAsync(boardId, "a", 10);

        Assert.Equal(2, back.GetProperty("rank").GetInt64());
        var top = await _admin.GetAsync($"/v1/leaderboards/{boardId}/top");
        Assert.Equal(["b", "a"], top.Entries().Select(e => e.Player));
    }

    [Fact]
    public async Task metadata_is_kept_with_the_entry_and_replaced_only_by_a_submission_that_changes_it()
    {
        var boardId = await _admin.CreateBoardAsync("descending", "best");
        await _ingest.SubmitOkAsync(boardId, "p", 10, metadata: new { name = "Ann", country = "SE" });
        await _ingest.SubmitOkAsync(boardId, "p", 5, metadata: new { name = "Ignored" });
        Assert.Equal("Ann", await MetadataName(boardId));

        await _ingest.SubmitOkAsync(boardId, "p", 20);
        Assert.Equal("Ann", await MetadataName(boardId));

        await _ingest.SubmitOkAsync(boardId, "p", 30, metadata: new { name = "Anna" });
        Assert.Equal("Anna", await MetadataName(boardId));
    }

    [Fact]
    public async Task scores_outside_the_board_bounds_are_refused_and_nothing_is_appended()
    {
        var boardId = await _admin.CreateBoardAsync("descending", "best", new { minScore = 0, maxScore = 100 });
        var before = await fixture.App.EventCountAsync();

        (await _ingest.SubmitAsync(boardId, new { playerId = "p", score = 101 })).AssertValidationError("score");
        (await _ingest.SubmitAsync(boardId, new { playerId = "p", score = -1 })).AssertValidationError("score");

        Assert.Equal(before, await fixture.App.EventCountAsync());
        (await _ingest.SubmitAsync(boardId, new { playerId = "p", score = 100 })).AssertStatus(HttpStatusCode.OK);
    }

    [Fact]
    public async Task an_increment_that_would_overflow_a_64_bit_score_is_refused()
    {
        var boardId = await _admin.CreateBoardAsync("descending", "increment");
        await _ingest.SubmitOkAsync(boardId, "p", long.MaxValue - 1);
        var before = await fixture.App.EventCountAsync();

        (await _ingest.SubmitAsync(boardId, new { playerId = "p", score = 2 })).AssertValidationError("score");

        Assert.Equal(before, await fixture.App.EventCountAsync());
        Assert.Equal(long.MaxValue - 1, (await _admin.GetAsync($"/v1/leaderboards/{boardId}/players/p")).Long("score"));
    }

    [Fact]
    public async Task submitting_to_an_unknown_board_is_a_404_problem_and_appends_nothing()
    {
        var before = await fixture.App.EventCountAsync();

        (await _ingest.SubmitAsync("no-such-board", new { playerId = "p", score = 1 })).AssertProblem(HttpStatusCode.NotFound);

        Assert.Equal(before, await fixture.App.EventCountAsync());
    }

    async Task<string?> MetadataName(string boardId)
    {
        var player = await _admin.GetAsync($"/v1/leaderboards/{boardId}/players/p");
        return player.Json.GetProperty("metadata").GetProperty("name").GetString();
    }
}
