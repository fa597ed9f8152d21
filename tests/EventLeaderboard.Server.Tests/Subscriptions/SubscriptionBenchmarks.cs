using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Net;
using EventLeaderboard.Server.Tests.Infrastructure;
using EventLeaderboard.Server.Tests.Support;
using Xunit.Abstractions;

namespace EventLeaderboard.Server.Tests.Subscriptions;

/// <summary>
/// Drain and latency measurements that double as correctness checks at volume (everything
/// delivered, nothing twice). They assert no timings: the numbers go to the test output. Small by
/// default so the suite stays quick; scale them up to measure (see docs/subscriptions.md):
/// <c>SUBSCRIPTION_BENCH_MESSAGES=1000000</c>, <c>SUBSCRIPTION_BENCH_RATE=10000</c>, <c>SUBSCRIPTION_BENCH_SECONDS=20</c>.
/// </summary>
public sealed class SubscriptionBenchmarks(ITestOutputHelper output)
{
    static int Setting(string name, int fallback) =>
        int.TryParse(Environment.GetEnvironmentVariable(name), NumberStyles.Integer, CultureInfo.InvariantCulture, out var v) ? v : fallback;

    [Fact]
    public async Task one_consumer_reading_and_acknowledging_in_batches_of_1000_drains_a_backlog_completely()
    {
        var total = Setting("SUBSCRIPTION_BENCH_MESSAGES", 20_000) / 1000 * 1000;
        var seenLock = new Lock();
        await using var app = await new LeaderboardApp(await TestDatabase.CreateDatabaseAsync(),
            new Dictionary<string, string?> { ["Subscriptions:InProcessHandlers"] = "false" }).StartAsync();
        var api = new Api(app.ClientWith(LeaderboardApp.AdminKey));
        var board = await api.CreateBoardAsync();
        var groups = new GroupApi(api);
        var group = await groups.CreateAsync(new { boards = new[] { board }, kinds = new[] { "score.submitted" }, startAt = "end" });

        var ingest = Stopwatch.StartNew();
        long last = 0;
        await Parallel.ForEachAsync(Enumerable.Range(0, total / 1000), new ParallelOptions { MaxDegreeOfParallelism = 4 }, async (batch, _) =>
        {
            var scores = Enumerable.Range(0, 1000).Select(i => new { playerId = $"p{batch}-{i}", score = (long)batch * 1000 + i }).ToArray();
            var reply = await api.BatchAsync(board, new { scores });
            reply.AssertStatus(HttpStatusCode.OK);
            var sequence = reply.Json.GetProperty("results")[999].GetProperty("sequence").GetInt64();
            lock (seenLock) last = Math.Max(last, sequence);
        });
        output.WriteLine($"backlog: {total:N0} scores ingested in {ingest.Elapsed.TotalSeconds:F1} s");
        // Wait until the whole backlog is durable in the messages table, so the drain measures reading only.
        var deadline = DateTime.UtcNow.AddMinutes(5);
        while ((await groups.StatusAsync(group)).GetProperty("headSequence").GetInt64() < last && DateTime.UtcNow < deadline)
            await Task.Delay(100);

        var seen = new HashSet<string>();
        var drain = Stopwatch.StartNew();
        var reads = 0;
        while (seen.Count < total && drain.Elapsed < TimeSpan.FromMinutes(5))
        {
            var batch = await groups.ReadAsync(group, "drainer", count: 1000, waitMs: 1000);
            reads++;
            foreach (var m in batch) Assert.True(seen.Add(m.Id), $"{m.Id} delivered twice");
            if (batch.Length > 0) Assert.Equal(batch.Length, await groups.AckAsync(group, batch.Select(m => m.Id)));
        }
        drain.Stop();

        Assert.Equal(total, seen.Count);
        output.WriteLine($"drain: {total:N0} messages in {drain.Elapsed.TotalSeconds:F2} s = {total / drain.Elapsed.TotalSeconds:N0} messages/s ({reads} reads of up to 1000, each acknowledged)");
    }

    [Fact]
    public async Task under_steady_ingest_every_notification_reaches_a_consumer_a_stream_and_a_webhook()
    {
        var rate = Setting("SUBSCRIPTION_BENCH_RATE", 2_000);
        var seconds = Setting("SUBSCRIPTION_BENCH_SECONDS", 3);
        await using var app = await new LeaderboardApp(await TestDatabase.CreateDatabaseAsync(), new Dictionary<string, string?>
        {
            ["Webhooks:AllowedHosts:0"] = "127.0.0.1",
            ["Webhooks:MaxConcurrency"] = "8",
            ["Subscriptions:StreamBufferSize"] = "100000",
        }).StartAsync();
        var api = new Api(app.ClientWith(LeaderboardApp.AdminKey));
        var boards = new List<string>();
        for (var b = 0; b < 10; b++) boards.Add(await api.CreateBoardAsync(extra: new { topN = 10 }));
        var groups = new GroupApi(api);
        var pull = await groups.CreateAsync(new { boards = boards.ToArray(), kinds = new[] { "score.submitted" }, startAt = "end" });
        await using var receiver = await WebhookReceiver.StartAsync();
        await groups.CreateAsync(new
        {
            boards = boards.ToArray(), kinds = new[] { "rank.enteredTop" }, startAt = "end",
            webhook = new { url = receiver.Url, secret = WebhookReceiver.Secret },
        });
        await using var stream = await SseClient.OpenAsync(app.ClientWith(LeaderboardApp.ReadKey), boards[0]);

        // Send time of each player's (unique) submission: latencies are measured from it, so they
        // include the commit itself (an upper bound on commit-to-delivery).
        var sent = new ConcurrentDictionary<string, long>();
        var pullLatency = new ConcurrentBag<double>();
        var sseLatency = new ConcurrentBag<double>();
        using var stop = new CancellationTokenSource();
        var consumer = Task.Run(async () =>
        {
            while (!stop.IsCancellationRequested)
            {
                var batch = await groups.ReadAsync(pull, "bench", count: 1000, waitMs: 200);
                var now = Stopwatch.GetTimestamp();
                foreach (var m in batch) pullLatency.Add(Stopwatch.GetElapsedTime(sent[m.Player], now).TotalMilliseconds);
                if (batch.Length > 0) await groups.AckAsync(pull, batch.Select(m => m.Id));
            }
        });
        var streamReader = Task.Run(async () =>
        {
            while (!stop.IsCancellationRequested)
            {
                foreach (var e in await stream.ReadEventsAsync(1))
                    if (e.Event == "score.submitted") sseLatency.Add(Stopwatch.GetElapsedTime(sent[e.Message.Player]).TotalMilliseconds);
            }
        });

        // Paced ingest: every 10 ms one batch per board, rate/100 scores in all, scores rising so players keep entering top 10.
        var perTick = Math.Max(boards.Count, rate / 100);
        var ticks = seconds * 100;
        var clock = Stopwatch.StartNew();
        var inFlight = new List<Task>();
        for (var tick = 0; tick < ticks; tick++)
        {
            var due = TimeSpan.FromMilliseconds(tick * 10);
            if (clock.Elapsed < due) await Task.Delay(due - clock.Elapsed);
            for (var b = 0; b < boards.Count; b++)
            {
                var board = boards[b];
                var scores = Enumerable.Range(0, perTick / boards.Count).Select(i => new { playerId = $"t{tick}-b{b}-{i}", score = (long)tick * 1000 + Random.Shared.Next(1000) }).ToArray();
                var now = Stopwatch.GetTimestamp();
                foreach (var s in scores) sent[s.playerId] = now;
                inFlight.Add(api.BatchAsync(board, new { scores }));
            }
        }
        await Task.WhenAll(inFlight);
        var achieved = sent.Count / clock.Elapsed.TotalSeconds;
        var expected = sent.Count;
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (pullLatency.Count < expected && DateTime.UtcNow < deadline) await Task.Delay(50);
        await Task.Delay(1000);
        await stop.CancelAsync();
        await consumer;
        _ = streamReader; // ends with the stream when the app is disposed

        Assert.Equal(expected, pullLatency.Count);
        Assert.True(sseLatency.Count > 0);
        Assert.NotEmpty(receiver.Accepted);
        output.WriteLine($"ingest: {expected:N0} scores in {clock.Elapsed.TotalSeconds:F1} s = {achieved:N0}/s over {boards.Count} boards");
        output.WriteLine($"pull consumer (long-poll, batches <= 1000): {Percentiles(pullLatency)}");
        output.WriteLine($"SSE client on one board:                    {Percentiles(sseLatency)}");
        output.WriteLine($"webhook receiver (rank.enteredTop, {receiver.Accepted.Count:N0} POSTs): " +
            Percentiles(receiver.Accepted.Select(m => Stopwatch.GetElapsedTime(sent[m.Player], receiver.FirstReceivedAt[m.Id]).TotalMilliseconds)));
    }

    static string Percentiles(IEnumerable<double> values)
    {
        var sorted = values.Order().ToArray();
        if (sorted.Length == 0) return "no samples";
        double At(double p) => sorted[Math.Min(sorted.Length - 1, (int)(p * sorted.Length))];
        return $"n={sorted.Length:N0} p50={At(0.50):F1} ms p90={At(0.90):F1} ms p99={At(0.99):F1} ms max={sorted[^1]:F1} ms";
    }
}
