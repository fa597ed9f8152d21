using System.Net;
using EventLeaderboard.Server.Tests.Infrastructure;
using EventLeaderboard.Server.Tests.Snapshots;
using EventLeaderboard.Server.Tests.Support;

namespace EventLeaderboard.Server.Tests.Audit;

/// <summary>POST /v1/admin/leaderboards/{boardId}/verify: a rebuild from the events compared with the live board.</summary>
public sealed class VerifyTests
{
    [Fact]
    public async Task verify_reports_a_consistent_board_with_its_players_position_and_checksum()
    {
        var database = await TestDatabase.CreateDatabaseAsync();
        await using var app = await SnapshotNode.StartAsync(database);
        var api = new Api(app.ClientWith(LeaderboardApp.AdminKey));
        var board = await api.CreateBoardAsync("ascending", "increment");
        await api.SubmitOkAsync(board, "ann", 5);
        await api.SubmitOkAsync(board, "bob", 3);
        await api.SubmitOkAsync(board, "ann", 4);
        (await api.DeleteAsync($"/v1/leaderboards/{board}/players/bob")).Response.EnsureSuccessStatusCode();
        var last = (await api.SubmitOkAsync(board, "cat", 1)).GetProperty("sequence").GetInt64();

        var verify = await api.PostAsync($"/v1/admin/leaderboards/{board}/verify", new { });

        verify.AssertStatus(HttpStatusCode.OK);
        Assert.True(verify.Json.GetProperty("consistent").GetBoolean());
        Assert.Equal(2, verify.Long("players"));
        Assert.True(verify.Long("sequence") >= last);
        Assert.Matches("^[0-9a-f]{16}$", verify.Json.GetProperty("checksum").GetString());
    }

    [Fact]
    public async Task verify_detects_a_live_board_that_drifted_from_the_log()
    {
        var database = await TestDatabase.CreateDatabaseAsync();
        await using var app = await SnapshotNode.StartAsync(database);
        var api = new Api(app.ClientWith(LeaderboardApp.AdminKey));
        var board = await api.CreateBoardAsync();
        await api.SubmitOkAsync(board, "ann", 5);
        var consistent = await api.PostAsync($"/v1/admin/leaderboards/{board}/verify", new { });

        // Damage the live ranking behind the log's back (what a projection bug would do).
        var projection = app.Services.GetService(typeof(Projection.LeaderboardProjection)) as Projection.LeaderboardProjection;
        Assert.True(projection!.TryGetBoard(board, out var state));
        state.Ranking.Apply("ghost", 99, long.MaxValue / 2);
        var drifted = await api.PostAsync($"/v1/admin/leaderboards/{board}/verify", new { });

        Assert.True(consistent.Json.GetProperty("consistent").GetBoolean());
        Assert.False(drifted.Json.GetProperty("consistent").GetBoolean());
        Assert.Equal(consistent.Json.GetProperty("checksum").GetString(), drifted.Json.GetProperty("checksum").GetString());
    }

    [Fact]
    public async Task verify_of_an_unknown_board_is_not_found_and_needs_the_admin_role()
    {
        var database = await TestDatabase.CreateDatabaseAsync();
        await using var app = await SnapshotNode.StartAsync(database);

        (await new Api(app.ClientWith(LeaderboardApp.AdminKey)).PostAsync("/v1/admin/leaderboards/nope/verify", new { })).AssertProblem(HttpStatusCode.NotFound);
        var asReader = await new Api(app.ClientWith(LeaderboardApp.ReadKey)).PostAsync("/v1/admin/leaderboards/nope/verify", new { });
        Assert.Equal(HttpStatusCode.Forbidden, asReader.Status);
    }
}
