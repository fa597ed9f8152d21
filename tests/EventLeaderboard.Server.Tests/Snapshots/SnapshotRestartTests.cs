using System.Net;
using EventLeaderboard.Server.Tests.Infrastructure;
using EventLeaderboard.Server.Tests.Support;

namespace EventLeaderboard.Server.Tests.Snapshots;

/// <summary>A node restarts from its boards' snapshots plus the log tail, and ends up exactly where a full replay would.</summary>
public sealed class SnapshotRestartTests
{
    static readonly Random Seeded = new(20261126);

    /// <summary>Submits <paramref name="count"/> random scores in batches; returns them in log order with their positions.</summary>
    static async Task SubmitRandomAsync(Api api, string board, BoardModel model, int count, int players)
    {
        for (var done = 0; done < count; done += 200)
        {
            var scores = Enumerable.Range(0, Math.Min(200, count - done))
                .Select(_ => new { playerId = $"p{Seeded.Next(players)}", score = (long)Seeded.Next(1000) }).ToArray();
            var reply = await api.BatchAsync(board, new { scores });
            reply.AssertStatus(HttpStatusCode.OK);
            var results = reply.Json.GetProperty("results").EnumerateArray().ToArray();
            for (var i = 0; i < scores.Length; i++) model.Submit(scores[i].playerId, scores[i].score, results[i].GetProperty("sequence").GetInt64());
        }
    }

    static async Task<Reply> VerifyAsync(Api admin, string board)
    {
        var reply = await admin.PostAsync($"/v1/admin/leaderboards/{board}/verify", new { });
        reply.AssertStatus(HttpStatusCode.OK);
        return reply;
    }

    [Fact]
    public async Task a_restart_from_a_snapshot_plus_tail_equals_a_full_replay()
    {
        var database = await TestDatabase.CreateDatabaseAsync();
        var model = new BoardModel();
        string board;
        string checksumBefore;
        await using (var first = await SnapshotNode.StartAsync(database))
        {
            var admin = new Api(first.ClientWith(LeaderboardApp.AdminKey));
            board = await admin.CreateBoardAsync();
            await SubmitRandomAsync(admin, board, model, 2000, 500);
            (await admin.PostAsync("/v1/admin/snapshots", new { })).AssertStatus(HttpStatusCode.OK);
            await SubmitRandomAsync(admin, board, model, 1000, 700);
            checksumBefore = (await VerifyAsync(admin, board)).Json.GetProperty("checksum").GetString()!;
        }

        await using var second = await SnapshotNode.StartAsync(database);
        var api = new Api(second.ClientWith(LeaderboardApp.AdminKey));
        var snapshots = await SnapshotRows.ListAsync(database, board);
        Assert.Single(snapshots);
        Assert.Equal(snapshots[0].SeqId, second.RestoredAt());

        var top = await api.GetAsync($"/v1/leaderboards/{board}/top?limit=1000");
        Assert.Equal(model.Top(1000), top.Entries());
        Assert.Equal(model.Count, top.Long("total"));
        // verify rebuilds from the events alone: the restored board must match it entry by entry.
        var verify = await VerifyAsync(api, board);
        Assert.True(verify.Json.GetProperty("consistent").GetBoolean());
        Assert.Equal(checksumBefore, verify.Json.GetProperty("checksum").GetString());
        Assert.Equal(model.Count, verify.Long("players"));
    }

    [Fact]
    public async Task a_retry_after_a_restart_from_a_snapshot_is_still_recognised_as_a_duplicate()
    {
        var database = await TestDatabase.CreateDatabaseAsync();
        string board;
        long firstSequence;
        await using (var first = await SnapshotNode.StartAsync(database))
        {
            var admin = new Api(first.ClientWith(LeaderboardApp.AdminKey));
            board = await admin.CreateBoardAsync();
            firstSequence = (await admin.SubmitOkAsync(board, "ann", 50, submissionId: "retry-me")).GetProperty("sequence").GetInt64();
            (await admin.PostAsync($"/v1/admin/leaderboards/{board}/snapshot", new { })).AssertStatus(HttpStatusCode.OK);
        }

        await using var second = await SnapshotNode.StartAsync(database);
        Assert.True(second.RestoredAt() > 0);
        var retried = await new Api(second.ClientWith(LeaderboardApp.AdminKey)).SubmitOkAsync(board, "ann", 50, submissionId: "retry-me");
        Assert.True(retried.GetProperty("duplicate").GetBoolean());
        Assert.Equal(firstSequence, retried.GetProperty("sequence").GetInt64());
    }

    [Fact]
    public async Task a_corrupted_newest_snapshot_falls_back_to_the_previous_one()
    {
        var database = await TestDatabase.CreateDatabaseAsync();
        var model = new BoardModel();
        string board;
        await using (var first = await SnapshotNode.StartAsync(database))
        {
            var admin = new Api(first.ClientWith(LeaderboardApp.AdminKey));
            board = await admin.CreateBoardAsync();
            await SubmitRandomAsync(admin, board, model, 600, 300);
            (await admin.PostAsync("/v1/admin/snapshots", new { })).AssertStatus(HttpStatusCode.OK);
            await SubmitRandomAsync(admin, board, model, 600, 400);
            (await admin.PostAsync("/v1/admin/snapshots", new { })).AssertStatus(HttpStatusCode.OK);
            await SubmitRandomAsync(admin, board, model, 200, 400);
        }
        var snapshots = await SnapshotRows.ListAsync(database, board);
        Assert.Equal(2, snapshots.Count);
        await SnapshotRows.CorruptAsync(database, snapshots[1].Id);

        await using var second = await SnapshotNode.StartAsync(database);
        Assert.Equal(snapshots[0].SeqId, second.RestoredAt());
        var api = new Api(second.ClientWith(LeaderboardApp.AdminKey));
        Assert.Equal(model.Top(1000), (await api.GetAsync($"/v1/leaderboards/{board}/top?limit=1000")).Entries());
        Assert.True((await VerifyAsync(api, board)).Json.GetProperty("consistent").GetBoolean());
    }

    [Fact]
    public async Task a_board_whose_every_snapshot_is_damaged_is_replayed_from_the_whole_log()
    {
        var database = await TestDatabase.CreateDatabaseAsync();
        var model = new BoardModel();
        string board;
        await using (var first = await SnapshotNode.StartAsync(database))
        {
            var admin = new Api(first.ClientWith(LeaderboardApp.AdminKey));
            board = await admin.CreateBoardAsync();
            await SubmitRandomAsync(admin, board, model, 400, 200);
            (await admin.PostAsync("/v1/admin/snapshots", new { })).AssertStatus(HttpStatusCode.OK);
            await SubmitRandomAsync(admin, board, model, 200, 200);
        }
        var snapshot = Assert.Single(await SnapshotRows.ListAsync(database, board));
        await SnapshotRows.TruncateAsync(database, snapshot.Id);

        await using var second = await SnapshotNode.StartAsync(database);
        Assert.Equal(0, second.RestoredAt());
        var api = new Api(second.ClientWith(LeaderboardApp.AdminKey));
        Assert.Equal(model.Top(1000), (await api.GetAsync($"/v1/leaderboards/{board}/top?limit=1000")).Entries());
    }

    [Fact]
    public async Task boards_restored_from_snapshots_at_different_positions_each_apply_only_their_own_tail()
    {
        var database = await TestDatabase.CreateDatabaseAsync();
        var early = new BoardModel();
        var late = new BoardModel();
        string earlyBoard, lateBoard;
        await using (var first = await SnapshotNode.StartAsync(database))
        {
            var admin = new Api(first.ClientWith(LeaderboardApp.AdminKey));
            earlyBoard = await admin.CreateBoardAsync();
            lateBoard = await admin.CreateBoardAsync();
            await SubmitRandomAsync(admin, earlyBoard, early, 400, 100);
            await SubmitRandomAsync(admin, lateBoard, late, 400, 100);
            (await admin.PostAsync($"/v1/admin/leaderboards/{earlyBoard}/snapshot", new { })).AssertStatus(HttpStatusCode.OK);
            await SubmitRandomAsync(admin, earlyBoard, early, 400, 150);
            await SubmitRandomAsync(admin, lateBoard, late, 400, 150);
            (await admin.PostAsync($"/v1/admin/leaderboards/{lateBoard}/snapshot", new { })).AssertStatus(HttpStatusCode.OK);
            await SubmitRandomAsync(admin, earlyBoard, early, 200, 150);
            await SubmitRandomAsync(admin, lateBoard, late, 200, 150);
        }

        await using var second = await SnapshotNode.StartAsync(database);
        var api = new Api(second.ClientWith(LeaderboardApp.AdminKey));
        // The tail starts after the older snapshot; the newer board must not apply its events twice.
        Assert.Equal((await SnapshotRows.ListAsync(database, earlyBoard))[0].SeqId, second.RestoredAt());
        Assert.Equal(early.Top(1000), (await api.GetAsync($"/v1/leaderboards/{earlyBoard}/top?limit=1000")).Entries());
        Assert.Equal(late.Top(1000), (await api.GetAsync($"/v1/leaderboards/{lateBoard}/top?limit=1000")).Entries());
    }

    [Fact]
    public async Task a_graceful_shutdown_leaves_a_snapshot_of_the_final_state()
    {
        var database = await TestDatabase.CreateDatabaseAsync();
        string board;
        await using (var first = await SnapshotNode.StartAsync(database, snapshotOnShutdown: true))
        {
            var admin = new Api(first.ClientWith(LeaderboardApp.AdminKey));
            board = await admin.CreateBoardAsync();
            await admin.SubmitOkAsync(board, "ann", 10);
            await admin.SubmitOkAsync(board, "bob", 20);
        }
        var snapshot = Assert.Single(await SnapshotRows.ListAsync(database, board));

        await using var second = await SnapshotNode.StartAsync(database);
        Assert.Equal(snapshot.SeqId, second.RestoredAt());
        var top = await new Api(second.ClientWith(LeaderboardApp.AdminKey)).GetAsync($"/v1/leaderboards/{board}/top");
        Assert.Equal([("bob", 20L, 1L), ("ann", 10L, 2L)], top.Entries());
    }

    [Fact]
    public async Task two_nodes_snapshotting_the_same_board_keep_both_snapshots_intact()
    {
        var database = await TestDatabase.CreateDatabaseAsync();
        var model = new BoardModel();
        string board;
        await using (var a = await SnapshotNode.StartAsync(database, "node-a"))
        await using (var b = await SnapshotNode.StartAsync(database, "node-b"))
        {
            var adminA = new Api(a.ClientWith(LeaderboardApp.AdminKey));
            var adminB = new Api(b.ClientWith(LeaderboardApp.AdminKey));
            board = await adminA.CreateBoardAsync();
            await SubmitRandomAsync(adminA, board, model, 600, 300);
            var last = (await adminA.GetAsync($"/v1/leaderboards/{board}/top")).Long("sequence");
            (await adminB.GetAsync($"/v1/leaderboards/{board}/top?minSequence={last}")).AssertStatus(HttpStatusCode.OK);
            // At the same time, on both nodes: the rows must not collide, and both must be valid.
            var both = await Task.WhenAll(
                adminA.PostAsync($"/v1/admin/leaderboards/{board}/snapshot", new { }),
                adminB.PostAsync($"/v1/admin/leaderboards/{board}/snapshot", new { }));
            Assert.All(both, r => r.AssertStatus(HttpStatusCode.OK));
        }
        var rows = await SnapshotRows.ListAsync(database, board);
        Assert.Equal(2, rows.Count);
        Assert.Equal(rows[0].SeqId, rows[1].SeqId);

        // Whichever is newest is used; damage it and the other (same position) takes over.
        await SnapshotRows.CorruptAsync(database, rows[1].Id);
        await using var restarted = await SnapshotNode.StartAsync(database);
        Assert.Equal(rows[0].SeqId, restarted.RestoredAt());
        var api = new Api(restarted.ClientWith(LeaderboardApp.AdminKey));
        Assert.Equal(model.Top(1000), (await api.GetAsync($"/v1/leaderboards/{board}/top?limit=1000")).Entries());
    }
}
