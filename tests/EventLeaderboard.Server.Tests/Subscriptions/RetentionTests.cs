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
        await using var app = await StartNodeAsync(database);
        var (admin, groups, retention) = Parts(app);
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

    [Fact]
    public async Task a_dead_letter_keeps_its_own_message_row_and_not_every_row_after_it()
    {
        var database = await TestDatabase.CreateDatabaseAsync();
        await using var app = await StartNodeAsync(database);
        var (admin, groups, retention) = Parts(app);
        var boardId = await admin.CreateBoardAsync();
        var group = await groups.CreateAsync(new
        {
            boards = new[] { boardId }, kinds = new[] { "score.submitted" }, startAt = "beginning", ackTimeoutSeconds = 1, maxDeliveries = 1,
        });
        await admin.SubmitOkAsync(boardId, "poison", 1);
        var deadline = DateTime.UtcNow.AddSeconds(20);
        while ((await groups.DeadLettersAsync(group)).Length == 0 && DateTime.UtcNow < deadline)
            await groups.ReadAsync(group, "failing", waitMs: 500); // never acknowledged
        var dead = Assert.Single(await groups.DeadLettersAsync(group));
        for (var i = 1; i <= 3; i++) await admin.SubmitOkAsync(boardId, $"p{i}", i);
        Assert.Equal(["p1", "p2", "p3"], (await groups.ReadAtLeastAsync(group, "c", 3)).Select(m => m.Player));

        // board.defined, poison, p1, p2, p3: the cursor is at the head, so only the dead letter's row
        // and the newest stay. Before, the dead letter kept p1 and p2 as well.
        Assert.Equal(3, await retention.PruneAsync(default));
        Assert.Equal(2, await RowsAsync(database));

        // Its message still reads back whole when it is delivered again.
        (await admin.PostAsync($"/v1/subscriptions/{group}/dead-letters/redeliver", new { })).AssertStatus(System.Net.HttpStatusCode.OK);
        var back = Assert.Single(await groups.ReadAtLeastAsync(group, "fixed", 1));
        Assert.Equal((dead.Id, "poison"), (back.Id, back.Player));
    }

    /// <summary>
    /// Retention 0: only the groups' needs keep rows. The timer is off (the tests prune themselves), and
    /// the in-process group is off: its own cursor would pin rows too.
    /// </summary>
    static Task<LeaderboardApp> StartNodeAsync(string database) => SubscriptionNode.Create(database, new Dictionary<string, string?>
    {
        ["Subscriptions:RetentionHours"] = "0",
        ["Subscriptions:RetentionCheckSeconds"] = "3600",
        ["Subscriptions:InProcessHandlers"] = "false",
    }).StartAsync();

    static (Api Admin, GroupApi Groups, MessageRetention Retention) Parts(LeaderboardApp app)
    {
        var admin = new Api(app.ClientWith(LeaderboardApp.AdminKey));
        return (admin, new GroupApi(admin), app.Services.GetRequiredService<MessageRetention>());
    }

    static async Task<long> RowsAsync(string database)
    {
        await using var connection = new NpgsqlConnection(database);
        await connection.OpenAsync();
        await using var cmd = new NpgsqlCommand("SELECT count(*) FROM leaderboard.sub_messages", connection);
        return (long)(await cmd.ExecuteScalarAsync())!;
    }
}
