using System.Net;
using System.Text.Json;
using EventLeaderboard.Server.Tests.Support;

namespace EventLeaderboard.Server.Tests;

public sealed class RemovalTests(AppFixture fixture) : IClassFixture<AppFixture>
{
    readonly Api _admin = new(fixture.App.ClientWith(LeaderboardApp.AdminKey));

    [Fact]
    public async Task a_removed_player_leaves_the_ranking_and_the_others_move_up()
    {
        var boardId = await _admin.CreateBoardAsync();
        await _admin.SubmitOkAsync(boardId, "cheater", 1000);
        await _admin.SubmitOkAsync(boardId, "honest", 10);

        var removed = await _admin.DeleteAsync($"/v1/leaderboards/{boardId}/players/cheater");

        removed.AssertStatus(HttpStatusCode.OK);
        Assert.Equal("cheater", removed.Json.GetProperty("playerId").GetString());
        var after = await _admin.GetAsync($"/v1/leaderboards/{boardId}/top?minSequence={removed.Long("sequence")}");
        Assert.Equal([("honest", 10L, 1L)], after.Entries());
        (await _admin.GetAsync($"/v1/leaderboards/{boardId}/players/cheater")).AssertProblem(HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task a_removed_player_who_submits_again_starts_a_fresh_entry()
    {
        var boardId = await _admin.CreateBoardAsync("descending", "increment");
        await _admin.SubmitOkAsync(boardId, "p", 50);
        (await _admin.DeleteAsync($"/v1/leaderboards/{boardId}/players/p")).AssertStatus(HttpStatusCode.OK);

        var again = await _admin.SubmitOkAsync(boardId, "p", 5);

        Assert.Equal(5, again.GetProperty("score").GetInt64());
        Assert.Equal(JsonValueKind.Null, again.GetProperty("previousRank").ValueKind);
        Assert.True(again.GetProperty("changed").GetBoolean());
    }

    [Fact]
    public async Task a_best_board_forgets_the_old_best_after_removal()
    {
        var boardId = await _admin.CreateBoardAsync("descending", "best");
        await _admin.SubmitOkAsync(boardId, "p", 100);
        (await _admin.DeleteAsync($"/v1/leaderboards/{boardId}/players/p")).AssertStatus(HttpStatusCode.OK);

        Assert.Equal(20, (await _admin.SubmitOkAsync(boardId, "p", 20)).GetProperty("score").GetInt64());
    }

    [Fact]
    public async Task removing_an_unknown_player_is_a_404_problem_and_appends_nothing()
    {
        var boardId = await _admin.CreateBoardAsync();
        var before = await fixture.App.EventCountAsync();

        (await _admin.DeleteAsync($"/v1/leaderboards/{boardId}/players/ghost")).AssertProblem(HttpStatusCode.NotFound);
        (await _admin.DeleteAsync("/v1/leaderboards/no-board/players/ghost")).AssertProblem(HttpStatusCode.NotFound);

        Assert.Equal(before, await fixture.App.EventCountAsync());
    }
}
