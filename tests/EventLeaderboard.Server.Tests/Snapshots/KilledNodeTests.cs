using System.Collections.Concurrent;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using EventLeaderboard.Server.Tests.Infrastructure;
using EventLeaderboard.Server.Tests.Support;

namespace EventLeaderboard.Server.Tests.Snapshots;

/// <summary>
/// SIGKILL while snapshots are being taken: the restarted node (which starts from whatever
/// snapshots committed) loses no acknowledged submission and agrees with a full replay.
/// </summary>
public sealed class KilledNodeTests
{
    const string Board = "killed";

    static async Task CreateBoardAsync(HttpClient client) =>
        (await client.PutAsJsonAsync($"/v1/leaderboards/{Board}", new { sortOrder = "descending", updatePolicy = "latest" })).EnsureSuccessStatusCode();

    /// <summary>After a restart: every acknowledged score is there, and verify (rebuild from events vs the restored board) is consistent.</summary>
    static async Task AssertRecoveredAsync(string database, int port, IReadOnlyDictionary<string, long> acknowledged)
    {
        await using var restarted = await ServerProcess.StartAsync(database, port);
        using var client = restarted.CreateClient();
        var missing = new List<string>();
        foreach (var chunk in acknowledged.Keys.Chunk(1000))
        {
            var reply = await client.PostAsJsonAsync($"/v1/leaderboards/{Board}/players/lookup", new { playerIds = chunk });
            reply.EnsureSuccessStatusCode();
            var body = await reply.Content.ReadFromJsonAsync<JsonElement>();
            missing.AddRange(body.GetProperty("missing").EnumerateArray().Select(m => m.GetString()!));
            foreach (var entry in body.GetProperty("entries").EnumerateArray())
                Assert.Equal(acknowledged[entry.GetProperty("playerId").GetString()!], entry.GetProperty("score").GetInt64());
        }
        Assert.Empty(missing);
        var verify = await client.PostAsync($"/v1/admin/leaderboards/{Board}/verify", null);
        verify.EnsureSuccessStatusCode();
        Assert.True((await verify.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("consistent").GetBoolean(), restarted.RecentOutput);
    }

    [Fact]
    public async Task killed_mid_ingest_while_snapshots_are_taken_the_restart_loses_no_acknowledged_score()
    {
        var database = await TestDatabase.CreateDatabaseAsync();
        var port = ServerProcess.FreePort();
        var acknowledged = new ConcurrentDictionary<string, long>();
        var snapshotsTaken = 0;
        await using (var server = await ServerProcess.StartAsync(database, port))
        {
            using var client = server.CreateClient();
            await CreateBoardAsync(client);
            using var stop = new CancellationTokenSource();
            var workers = Enumerable.Range(0, 8).Select(w => Task.Run(async () =>
            {
                for (var n = 0; !stop.IsCancellationRequested; n++)
                {
                    var player = $"w{w}-{n % 400}";
                    try
                    {
                        var response = await client.PostAsJsonAsync($"/v1/leaderboards/{Board}/scores", new { playerId = player, score = n });
                        if (response.StatusCode == HttpStatusCode.OK) acknowledged[player] = n;
                    }
                    catch (Exception)
                    {
                        return; // killed: only what was acknowledged counts
                    }
                }
            })).ToArray();
            var snapshots = Task.Run(async () =>
            {
                while (!stop.IsCancellationRequested)
                {
                    try
                    {
                        if ((await client.PostAsync("/v1/admin/snapshots", null)).IsSuccessStatusCode) Interlocked.Increment(ref snapshotsTaken);
                    }
                    catch (Exception)
                    {
                        return;
                    }
                }
            });
            var deadline = DateTime.UtcNow.AddSeconds(60);
            while ((acknowledged.Count < 1500 || Volatile.Read(ref snapshotsTaken) < 3) && DateTime.UtcNow < deadline) await Task.Delay(20);
            server.Kill();
            stop.Cancel();
            await Task.WhenAll(workers);
            await snapshots;
        }
        Assert.True(snapshotsTaken >= 3, $"Only {snapshotsTaken} snapshots were taken before the kill.");
        // Scores acknowledged after the last snapshot are in the tail: both paths are exercised.
        await AssertRecoveredAsync(database, port, acknowledged);
    }

    [Fact]
    public async Task killed_while_writing_a_large_snapshot_the_restart_uses_only_complete_snapshots()
    {
        var database = await TestDatabase.CreateDatabaseAsync();
        var port = ServerProcess.FreePort();
        var acknowledged = new Dictionary<string, long>();
        var random = new Random(99);
        await using (var server = await ServerProcess.StartAsync(database, port))
        {
            using var client = server.CreateClient();
            await CreateBoardAsync(client);
            // Big enough that capture and upload take a while (tens of milliseconds at least).
            for (var batch = 0; batch < 150; batch++)
            {
                var scores = Enumerable.Range(0, 1000).Select(i => new { playerId = $"p{batch * 1000 + i}", score = (long)random.Next(1_000_000) }).ToArray();
                (await client.PostAsJsonAsync($"/v1/leaderboards/{Board}/scores/batch", new { scores })).EnsureSuccessStatusCode();
                foreach (var s in scores) acknowledged[s.playerId] = s.score;
                if (batch == 50) (await client.PostAsync("/v1/admin/snapshots", null)).EnsureSuccessStatusCode();
            }
            var write = client.PostAsync("/v1/admin/snapshots", null);
            await Task.Delay(random.Next(20, 200));
            server.Kill();
            try { await write; } catch (Exception) { /* killed mid-request, as intended */ }
        }
        await AssertRecoveredAsync(database, port, acknowledged);
    }
}
