using System.Collections.Concurrent;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using EventLeaderboard.Server.Tests.Infrastructure;
using EventLeaderboard.Server.Tests.Support;
using Microsoft.Extensions.DependencyInjection;

namespace EventLeaderboard.Server.Tests.History;

/// <summary>
/// The history index after restarts, kill -9, a start from snapshots past its watermark, and the
/// death of the node writing it: every event of the log is in it, exactly once, with the right
/// resulting score.
/// </summary>
public sealed class HistoryRecoveryTests
{
    static async Task<string> CreateBoardAsync(Api api)
    {
        var boardId = Api.NewBoardId();
        (await api.PutBoardAsync(boardId, new { sortOrder = "descending", updatePolicy = "best" })).AssertStatus(HttpStatusCode.Created);
        return boardId;
    }

    /// <summary>Batches of 50 scores over 60 players; returns the highest acknowledged sequence.</summary>
    static async Task<long> IngestAsync(Api api, string boardId, int batches, int seed)
    {
        var random = new Random(seed);
        long last = 0;
        for (var b = 0; b < batches; b++)
        {
            var scores = Enumerable.Range(0, 50).Select(_ => new { playerId = $"p{random.Next(60)}", score = (long)random.Next(1_000_000) }).ToArray();
            var reply = await api.BatchAsync(boardId, new { scores });
            reply.AssertStatus(HttpStatusCode.OK);
            last = reply.Json.GetProperty("results").EnumerateArray().Max(r => r.GetProperty("sequence").GetInt64());
        }
        return last;
    }

    [Fact]
    public async Task the_index_survives_a_graceful_restart_and_continues_without_a_hole()
    {
        var database = await TestDatabase.CreateDatabaseAsync();
        string boardId;
        await using (var first = await new LeaderboardApp(database).StartAsync())
        {
            var api = new Api(first.ClientWith(LeaderboardApp.AdminKey));
            boardId = await CreateBoardAsync(api);
            await IngestAsync(api, boardId, 20, seed: 1);
        }
        await using var second = await new LeaderboardApp(database).StartAsync();
        var again = new Api(second.ClientWith(LeaderboardApp.AdminKey));
        var last = await IngestAsync(again, boardId, 20, seed: 2);

        await HistoryModel.AssertCompleteAsync(database, again, boardId, last);
    }

    [Fact]
    public async Task a_graceful_stop_writes_what_is_queued_even_while_the_writer_lets_pages_gather()
    {
        var database = await TestDatabase.CreateDatabaseAsync();
        // Pages gather for ten minutes: everything ingested is still queued when the node stops.
        var gathering = new Dictionary<string, string?> { ["History:WriteDelayMs"] = "600000" };
        long last;
        await using (var node = await new LeaderboardApp(database, gathering).StartAsync())
        {
            // From here on every event is queued (before, the writer would re-derive it at its start).
            var feed = node.Services.GetRequiredService<EventLeaderboard.Server.History.HistoryFeed>();
            for (var waited = 0; !feed.IsOn; waited += 20)
            {
                Assert.True(waited < 30_000, "this node did not start writing the history index within 30 s");
                await Task.Delay(20);
            }
            var api = new Api(node.ClientWith(LeaderboardApp.AdminKey));
            last = await IngestAsync(api, await CreateBoardAsync(api), 20, seed: 5);
        }

        var watermark = (long)(await TestDatabase.ScalarAsync(database, "SELECT indexed_up_to FROM leaderboard.player_history_watermark"))!;
        var lastEvent = last / EventLeaderboard.Server.Ingest.LogPosition.ItemsPerEvent;
        Assert.True(watermark >= lastEvent, $"the watermark {watermark} stayed below the last acknowledged event {lastEvent}");
        Assert.Equal(20L * 50, (long)(await TestDatabase.ScalarAsync(database, "SELECT count(*) FROM leaderboard.player_history"))!);
    }

    [Fact]
    public async Task a_writer_whose_queue_overflows_rederives_the_dropped_events_from_the_log()
    {
        var database = await TestDatabase.CreateDatabaseAsync();
        // Smaller than one batch: every page the follower applies overflows the feed.
        var tiny = new Dictionary<string, string?> { ["History:QueueRows"] = "10" };
        await using var node = await new LeaderboardApp(database, tiny).StartAsync();
        var api = new Api(node.ClientWith(LeaderboardApp.AdminKey));
        var boardId = await CreateBoardAsync(api);

        var last = await IngestAsync(api, boardId, 30, seed: 9);

        await HistoryModel.AssertCompleteAsync(database, api, boardId, last);
    }

    [Fact]
    public async Task killed_mid_ingest_the_restarted_node_has_every_event_indexed_exactly_once()
    {
        var database = await TestDatabase.CreateDatabaseAsync();
        var port = ServerProcess.FreePort();
        string boardId;
        var acknowledged = new ConcurrentBag<long>();
        await using (var server = await ServerProcess.StartAsync(database, port))
        {
            var api = server.Api();
            boardId = await CreateBoardAsync(api);
            using var stop = new CancellationTokenSource();
            var workers = Enumerable.Range(0, 6).Select(w => Task.Run(async () =>
            {
                using var client = server.CreateClient();
                var random = new Random(w);
                while (!stop.IsCancellationRequested)
                {
                    var scores = Enumerable.Range(0, 40).Select(_ => new { playerId = $"p{random.Next(80)}", score = (long)random.Next(1_000_000) }).ToArray();
                    try
                    {
                        var response = await client.PostAsJsonAsync($"/v1/leaderboards/{boardId}/scores/batch", new { scores });
                        if (response.StatusCode != HttpStatusCode.OK) continue;
                        var body = await response.Content.ReadFromJsonAsync<JsonElement>();
                        foreach (var r in body.GetProperty("results").EnumerateArray()) acknowledged.Add(r.GetProperty("sequence").GetInt64());
                    }
                    catch (Exception)
                    {
                        return; // killed: only what was acknowledged counts
                    }
                }
            })).ToArray();
            var deadline = DateTime.UtcNow.AddSeconds(60);
            while (acknowledged.Count < 8000 && DateTime.UtcNow < deadline) await Task.Delay(20);
            server.Kill();
            stop.Cancel();
            await Task.WhenAll(workers);
        }
        Assert.NotEmpty(acknowledged);

        await using var restarted = await ServerProcess.StartAsync(database, port);
        var log = await HistoryModel.FromLogAsync(database, boardId);
        await HistoryModel.AssertCompleteAsync(database, restarted.Api(), boardId, acknowledged.Max());
        var indexed = log.Values.SelectMany(rows => rows.Select(r => r.Sequence)).ToHashSet();
        Assert.All(acknowledged, sequence => Assert.Contains(sequence, indexed));
    }

    [Fact]
    public async Task a_node_restored_from_snapshots_past_the_watermark_still_indexes_the_events_before_them()
    {
        var database = await TestDatabase.CreateDatabaseAsync();
        var disabled = new Dictionary<string, string?> { ["History:Enabled"] = "false" };
        string boardId;
        await using (var unindexed = await new LeaderboardApp(database, disabled).StartAsync())
        {
            var api = new Api(unindexed.ClientWith(LeaderboardApp.AdminKey));
            boardId = await CreateBoardAsync(api);
            await IngestAsync(api, boardId, 15, seed: 3);
            (await api.Client.PostAsync("/v1/admin/snapshots", null)).EnsureSuccessStatusCode();
            await IngestAsync(api, boardId, 5, seed: 4);
            // Nothing indexes here: a read that needs the node's position cannot be answered.
            (await api.GetAsync($"/v1/leaderboards/{boardId}/players/p1/history?waitMs=0")).AssertProblem(HttpStatusCode.ServiceUnavailable);
        }
        await using var indexing = await new LeaderboardApp(database).StartAsync();
        var again = new Api(indexing.ClientWith(LeaderboardApp.AdminKey));
        var last = await IngestAsync(again, boardId, 5, seed: 5);

        await HistoryModel.AssertCompleteAsync(database, again, boardId, last);
    }

    [Fact]
    public async Task when_the_writing_node_is_killed_another_node_takes_over_without_a_hole()
    {
        var database = await TestDatabase.CreateDatabaseAsync();
        await using var writer = await ServerProcess.StartAsync(database, ServerProcess.FreePort(), "hist-1");
        await using var standby = await ServerProcess.StartAsync(database, ServerProcess.FreePort(), "hist-2");
        var viaWriter = writer.Api();
        var viaStandby = standby.Api();
        var boardId = await CreateBoardAsync(viaWriter);
        await IngestAsync(viaWriter, boardId, 10, seed: 6);
        await IngestAsync(viaStandby, boardId, 10, seed: 7);

        writer.Kill();
        var last = await IngestAsync(viaStandby, boardId, 10, seed: 8);

        await HistoryModel.AssertCompleteAsync(database, viaStandby, boardId, last);
    }
}
