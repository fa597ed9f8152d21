using EventLeaderboard.Server.Subscriptions;
using EventLeaderboard.Server.Tests.Infrastructure;
using EventLeaderboard.Server.Tests.Support;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;

namespace EventLeaderboard.Server.Tests.Subscriptions;

public sealed class RetentionTests
{
    [Fact]
    public async Task retention_deletes_message_rows_below_what_every_group_needs_and_keeps_what_is_pending()
    {
        var database = await TestDatabase.CreateDatabaseAsync();
        // Retention 0: only the groups' needs keep rows. The timer is off (the test prunes itself), and
        // the in-process group is off: its own cursor would pin rows too.
        await using var app = await SubscriptionNode.Create(database, new Dictionary<string, string?>
        {
            ["Subscriptions:RetentionHours"] = "0",
            ["Subscriptions:RetentionCheckSeconds"] = "3600",
            ["Subscriptions:InProcessHandlers"] = "false",
        }).StartAsync();
        var admin = new Api(app.ClientWith(LeaderboardApp.AdminKey));
        var groups = new GroupApi(admin);
        var retention = app.Services.GetRequiredService<MessageRetention>();
        var boardId = await admin.CreateBoardAsync();
        var group = await groups.CreateAsync(new { boards = new[] { boardId }, kinds = new[] { "score.submitted" }, startAt = "beginning" });
        for (var i = 0; i < 3; i++) await admin.SubmitOkAsync(boardId, $"p{i}", i);
        // board.defined + 3 scores, written (bounded: a writer that never writes fails the test, not the run)
        for (var waited = 0; await RowsAsync(database) < 4; waited += 50)
        {
            Assert.True(waited < 30_000, "the message writer did not write the 4 rows within 30 s");
            await Task.Delay(50);
        }
        var held = await groups.ReadAsync(group, "c", count: 1, waitMs: 5000);
        Assert.Equal(["p0"], held.Select(m => m.Player));

        // p0 is pending: its row and everything after it stay; only the board definition's row goes.
        Assert.Equal(1, await retention.PruneAsync(default));
        Assert.Equal(3, await RowsAsync(database));
        Assert.Equal(1, await groups.AckAsync(group, held.Select(m => m.Id)));
        Assert.Equal(["p1", "p2"], (await groups.ReadAtLeastAsync(group, "c", 2)).Select(m => m.Player));

        // Everything is acknowledged and the cursor is at the head: all but the newest row go.
        Assert.Equal(2, await retention.PruneAsync(default));
        Assert.Equal(1, await RowsAsync(database));
        await admin.SubmitOkAsync(boardId, "p3", 3);
        Assert.Equal(["p3"], (await groups.ReadAtLeastAsync(group, "c", 1)).Select(m => m.Player));
    }

    static async Task<long> RowsAsync(string database)
    {
        await using var connection = new NpgsqlConnection(database);
        await connection.OpenAsync();
        await using var cmd = new NpgsqlCommand("SELECT count(*) FROM leaderboard.sub_messages", connection);
        return (long)(await cmd.ExecuteScalarAsync())!;
    }
}
