using System.Net;
using EventLeaderboard.Server.Tests.Infrastructure;
using EventLeaderboard.Server.Tests.Support;

namespace EventLeaderboard.Server.Tests.Subscriptions;

/// <summary>Real server processes on one database, killed with SIGKILL.</summary>
public sealed class NodeFailureTests
{
    /// <summary>Webhooks to the loopback receiver, retried quickly so the tests stay short.</summary>
    static readonly Dictionary<string, string> WebhookNode = new()
    {
        ["Webhooks__AllowedHosts__0"] = "127.0.0.1",
        ["Webhooks__BaseBackoffMs"] = "20",
        ["Webhooks__MaxBackoffMs"] = "200",
    };

    [Fact]
    public async Task a_server_killed_mid_delivery_loses_nothing_on_restart()
    {
        var database = await TestDatabase.CreateDatabaseAsync();
        await using var receiver = await WebhookReceiver.StartAsync();
        var port = ServerProcess.FreePort();
        string board, pullGroup, hookGroup;
        var unacknowledged = new HashSet<string>();
        var acknowledged = new HashSet<string>();
        await using (var node = await ServerProcess.StartAsync(database, port, "kill-a", WebhookNode))
        {
            var api = node.Api();
            board = await api.CreateBoardAsync();
            var groups = new GroupApi(api);
            pullGroup = await groups.CreateAsync(new { boards = new[] { board }, kinds = new[] { "score.submitted" }, startAt = "end", ackTimeoutSeconds = 2 });
            hookGroup = await groups.CreateAsync(new
            {
                boards = new[] { board }, kinds = new[] { "score.submitted" }, startAt = "end", ackTimeoutSeconds = 2, maxDeliveries = 100,
                webhook = new { url = receiver.Url, secret = WebhookReceiver.Secret },
            });
            receiver.Fail = _ => { Thread.Sleep(20); return false; }; // slow: deliveries are in flight at the kill
            var scores = Enumerable.Range(0, 200).Select(i => new { playerId = $"p{i}", score = i }).ToArray();
            (await api.BatchAsync(board, new { scores })).AssertStatus(HttpStatusCode.OK);

            var acked = await groups.ReadAsync(pullGroup, "worker", count: 50, waitMs: 5000);
            Assert.Equal(50, await groups.AckAsync(pullGroup, acked.Select(m => m.Id)));
            foreach (var m in acked) acknowledged.Add(m.Id);
            var inFlight = await groups.ReadAsync(pullGroup, "worker", count: 50, waitMs: 2000);
            foreach (var m in inFlight) unacknowledged.Add(m.Id);
            Assert.NotEmpty(unacknowledged);
            await Eventually(() => receiver.Accepted.Count >= 10);
            node.Kill();
        }
        Assert.True(receiver.Accepted.Count < 200, "The kill should interrupt the webhook deliveries.");

        await using var restarted = await ServerProcess.StartAsync(database, port, "kill-a", WebhookNode);
        receiver.Fail = _ => false;
        var after = await new GroupApi(restarted.Api()).ReadAtLeastAsync(pullGroup, "worker", 150);

        // Everything not acknowledged before the kill arrives after it, the in-flight ones as redeliveries.
        Assert.Equal(150, after.Select(m => m.Id).Distinct().Count());
        Assert.DoesNotContain(after, m => acknowledged.Contains(m.Id));
        Assert.All(after.Where(m => unacknowledged.Contains(m.Id)), m => Assert.True(m.DeliveryCount >= 2));
        Assert.Equal(unacknowledged.Count, after.Count(m => unacknowledged.Contains(m.Id)));
        await Eventually(() => receiver.Accepted.Select(m => m.Id).Distinct().Count() == 200, seconds: 40);
    }

    [Fact]
    public async Task with_two_nodes_on_one_database_the_webhooks_keep_flowing_when_one_is_killed()
    {
        var database = await TestDatabase.CreateDatabaseAsync();
        await using var receiver = await WebhookReceiver.StartAsync();
        await using var doomed = await ServerProcess.StartAsync(database, ServerProcess.FreePort(), "pair-1", WebhookNode);
        await using var survivor = await ServerProcess.StartAsync(database, ServerProcess.FreePort(), "pair-2", WebhookNode);
        var api = survivor.Api();
        var boards = new List<string>();
        for (var b = 0; b < 6; b++) boards.Add(await api.CreateBoardAsync());
        var group = await new GroupApi(doomed.Api()).CreateAsync(new
        {
            boards = boards.ToArray(), kinds = new[] { "score.submitted" }, startAt = "end", ackTimeoutSeconds = 3, maxDeliveries = 100,
            webhook = new { url = receiver.Url, secret = WebhookReceiver.Secret },
        });
        receiver.Fail = _ => { Thread.Sleep(5); return false; };
        // Both nodes run a dispatcher for the group (they find new webhook groups within 2 s).
        await EventuallyAsync(async () =>
        {
            var consumers = (await new GroupApi(api).StatusAsync(group)).GetProperty("consumers").EnumerateArray()
                .Select(c => c.GetProperty("name").GetString()).ToArray();
            return consumers.Contains("webhook:pair-1") && consumers.Contains("webhook:pair-2");
        });

        var expected = 0;
        for (var round = 0; round < 20; round++)
        {
            foreach (var board in boards)
            {
                var scores = Enumerable.Range(0, 5).Select(i => new { playerId = $"r{round}-{i}", score = round * 10 + i }).ToArray();
                (await api.BatchAsync(board, new { scores })).AssertStatus(HttpStatusCode.OK);
                expected += scores.Length;
            }
            if (round == 8) doomed.Kill();
            await Task.Delay(50);
        }

        // The survivor takes the dead node's boards once their ack deadline passes (3 s here, 30 s by default).
        await Eventually(() => receiver.Accepted.Select(m => m.Id).Distinct().Count() == expected, seconds: 30);
        foreach (var board in boards)
        {
            var order = receiver.Accepted.Where(m => m.BoardId == board).Select(m => m.Sequence).Distinct().ToArray();
            Assert.Equal(order.Order(), order);
        }
    }

    static async Task EventuallyAsync(Func<Task<bool>> condition, int seconds = 30)
    {
        var deadline = DateTime.UtcNow.AddSeconds(seconds);
        while (!await condition())
        {
            if (DateTime.UtcNow > deadline) Assert.Fail($"The condition did not become true within {seconds} seconds.");
            await Task.Delay(100);
        }
    }

    static async Task Eventually(Func<bool> condition, int seconds = 30)
    {
        var deadline = DateTime.UtcNow.AddSeconds(seconds);
        while (!condition())
        {
            if (DateTime.UtcNow > deadline) Assert.Fail($"The condition did not become true within {seconds} seconds.");
            await Task.Delay(50);
        }
    }
}
