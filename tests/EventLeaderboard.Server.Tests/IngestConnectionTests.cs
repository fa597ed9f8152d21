using System.Net;
using EventLeaderboard.Server.Tests.Infrastructure;
using EventLeaderboard.Server.Tests.Support;
using Npgsql;

namespace EventLeaderboard.Server.Tests;

/// <summary>
/// The group committer and the log follower keep their own connections between commits instead of
/// renting one per transaction; a connection the database drops must be replaced, not reused.
/// </summary>
public sealed class IngestConnectionTests
{
    [Fact]
    public async Task when_the_database_drops_every_connection_later_submissions_are_committed_and_applied()
    {
        await using var app = await new LeaderboardApp(await TestDatabase.CreateDatabaseAsync()).StartAsync();
        var admin = new Api(app.ClientWith(LeaderboardApp.AdminKey));
        var boardId = await admin.CreateBoardAsync();
        await admin.SubmitOkAsync(boardId, "before", 10, submissionId: "before-1");

        var dropped = await DropOtherConnectionsAsync(app.ConnectionString);
        Assert.True(dropped > 0);

        // A submission that runs into a dropped connection fails as a whole (503, nothing
        // appended). The pool may still hold other dropped connections, each found dead only when
        // used, so a few retries with the same submission id can fail before one gets through.
        Reply reply = null!;
        for (var attempt = 0; attempt < 50; attempt++)
        {
            reply = await admin.SubmitAsync(boardId, new { playerId = "after", score = 20, submissionId = "after-1" });
            if (reply.Status != HttpStatusCode.ServiceUnavailable) break;
        }
        reply.AssertStatus(HttpStatusCode.OK);
        Assert.Equal(1, reply.Long("rank"));

        var board = await admin.GetAsync($"/v1/leaderboards/{boardId}/top?limit=10");
        board.AssertStatus(HttpStatusCode.OK);
        Assert.Equal(["after", "before"], board.Json.GetProperty("entries").EnumerateArray().Select(e => e.GetProperty("playerId").GetString()));
    }

    static async Task<int> DropOtherConnectionsAsync(string connectionString)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var cmd = new NpgsqlCommand(
            "SELECT count(*) FILTER (WHERE pg_terminate_backend(pid)) FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()",
            connection);
        return Convert.ToInt32(await cmd.ExecuteScalarAsync());
    }
}
