using System.Collections.Concurrent;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using EventLeaderboard.Server.Tests.Infrastructure;
using EventLeaderboard.Server.Tests.Support;

namespace EventLeaderboard.Server.Tests;

public sealed class CrashRecoveryTests
{
    [Fact]
    public async Task every_acknowledged_submission_is_present_after_the_server_is_killed_mid_ingest()
    {
        var database = await TestDatabase.CreateDatabaseAsync();
        var port = ServerProcess.FreePort();
        var acknowledged = new ConcurrentDictionary<string, (long Score, long Sequence)>();
        const string boardId = "crash";

        await using (var server = await ServerProcess.StartAsync(database, port))
        {
            using var client = server.CreateClient();
            (await client.PutAsJsonAsync($"/v1/leaderboards/{boardId}", new { sortOrder = "descending", updatePolicy = "latest" }))
                .EnsureSuccessStatusCode();

            using var stop = new CancellationTokenSource();
            var workers = Enumerable.Range(0, 16).Select(w => Task.Run(async () =>
            {
                for (var n = 0; !stop.IsCancellationRequested; n++)
                {
                    var player = $"w{w}-{n}";
                    try
                    {
                        var response = await client.PostAsJsonAsync($"/v1/leaderboards/{boardId}/scores",
                            new { playerId = player, score = n, submissionId = player });
                        if (response.StatusCode != HttpStatusCode.OK) continue;
                        var answer = await response.Content.ReadFromJsonAsync<JsonElement>();
                        acknowledged[player] = (n, answer.GetProperty("sequence").GetInt64());
                    }
                    catch (Exception)
                    {
                        return; // the server is gone (killed): what counts is what was acknowledged
                    }
                }
            })).ToArray();

            // Kill while requests are in flight, once a good number has been acknowledged.
            var deadline = DateTime.UtcNow.AddSeconds(60);
            while (acknowledged.Count < 500 && DateTime.UtcNow < deadline) await Task.Delay(20);
            server.Kill();
            stop.Cancel();
            await Task.WhenAll(workers);
        }
        Assert.True(acknowledged.Count >= 500, $"Only {acknowledged.Count} submissions were acknowledged before the kill.");

        await using var restarted = await ServerProcess.StartAsync(database, port);
        using var reader = restarted.CreateClient();
        var players = acknowledged.Keys.ToArray();
        var missing = new List<string>();
        foreach (var chunk in players.Chunk(1000))
        {
            var reply = await reader.PostAsJsonAsync($"/v1/leaderboards/{boardId}/players/lookup", new { playerIds = chunk });
            reply.EnsureSuccessStatusCode();
            var body = await reply.Content.ReadFromJsonAsync<JsonElement>();
            missing.AddRange(body.GetProperty("missing").EnumerateArray().Select(m => m.GetString()!));
            foreach (var entry in body.GetProperty("entries").EnumerateArray())
                Assert.Equal(acknowledged[entry.GetProperty("playerId").GetString()!].Score, entry.GetProperty("score").GetInt64());
        }
        Assert.Empty(missing);

        // And a retry of an acknowledged submission is recognised after the crash.
        var (player, (score, sequence)) = acknowledged.First();
        var retry = await reader.PostAsJsonAsync($"/v1/leaderboards/{boardId}/scores", new { playerId = player, score, submissionId = player });
        var retried = await retry.Content.ReadFromJsonAsync<JsonElement>();
        Assert.True(retried.GetProperty("duplicate").GetBoolean());
        Assert.Equal(sequence, retried.GetProperty("sequence").GetInt64());
    }
}
