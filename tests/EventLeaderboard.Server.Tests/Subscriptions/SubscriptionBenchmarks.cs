using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json;
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
        var database = await TestDatabase.CreateDatabaseAsync();
        await using var app = await SubscriptionNode.Create(database,
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

        // A lean consumer (ids picked out of the raw JSON), so the numbers are the server's, not the test's parsing.
        var seen = new HashSet<string>();
        var cpuBefore = await CpuSeconds(database);
        var drain = Stopwatch.StartNew();
        var reads = 0;
        var readBody = Encoding.UTF8.GetBytes("""{"consumer":"drainer","count":1000,"waitMs":1000}""");
        while (seen.Count < total && drain.Elapsed < TimeSpan.FromMinutes(5))
        {
            using var read = await api.Client.PostAsync($"/v1/subscriptions/{group}/read", new ByteArrayContent(readBody));
            var ids = MessageIds(await read.Content.ReadAsByteArrayAsync());
            reads++;
            foreach (var id in ids) Assert.True(seen.Add(id), $"{id} delivered twice");
            if (ids.Count == 0) continue;
            using var ack = await api.Client.PostAsync($"/v1/subscriptions/{group}/ack",
                new ByteArrayContent(JsonSerializer.SerializeToUtf8Bytes(new Dictionary<string, List<string>> { ["ids"] = ids })));
            Assert.Equal(HttpStatusCode.OK, ack.StatusCode);
        }
        drain.Stop();
        var cpuAfter = await CpuSeconds(database);

        Assert.Equal(total, seen.Count);
        output.WriteLine($"drain: {total:N0} messages in {drain.Elapsed.TotalSeconds:F2} s = {total / drain.Elapsed.TotalSeconds:N0} messages/s ({reads} reads of up to 1000, each acknowledged)");
        output.WriteLine($"CPU per message: {(cpuAfter.Process - cpuBefore.Process) / total * 1e6:F1} us in this process (server + client), " +
            $"{(cpuAfter.Postgres - cpuBefore.Postgres) / total * 1e6:F1} us in PostgreSQL backends of the database (load average {File.ReadAllText("/proc/loadavg").Split(' ')[0]})");
    }

    /// <summary>
    /// CPU seconds used so far by this process and by the PostgreSQL backends connected to the
    /// database (the node's pooled connections stay open, so a difference covers the work between).
    /// On a shared machine this is the number to compare, not the wall-clock rate.
    /// </summary>
    static async Task<(double Process, double Postgres)> CpuSeconds(string connectionString)
    {
        await using var connection = new Npgsql.NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var cmd = new Npgsql.NpgsqlCommand("SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()", connection);
        var postgres = 0.0;
        await using (var reader = await cmd.ExecuteReaderAsync())
            while (await reader.ReadAsync())
            {
                // utime and stime are fields 14 and 15 of /proc/<pid>/stat, in clock ticks (100 per second here).
                try
                {
                    var stat = File.ReadAllText($"/proc/{reader.GetInt32(0)}/stat");
                    var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
                    postgres += (long.Parse(fields[11], CultureInfo.InvariantCulture) + long.Parse(fields[12], CultureInfo.InvariantCulture)) / 100.0;
                }
                catch (IOException)
                {
                    // The backend exited between the query and the read.
                }
            }
        return (Process.GetCurrentProcess().TotalProcessorTime.TotalSeconds, postgres);
    }

    /// <summary>The <c>id</c> of each message of a read's answer.</summary>
    static List<string> MessageIds(byte[] json)
    {
        var ids = new List<string>(1000);
        var reader = new Utf8JsonReader(json);
        while (reader.Read())
        {
            // Message objects sit at depth 2 ({ messages: [ { id ... } ] }); data objects are deeper.
            if (reader.TokenType == JsonTokenType.PropertyName && reader.CurrentDepth == 3 && reader.ValueTextEquals("id"u8))
            {
                reader.Read();
                ids.Add(reader.GetString()!);
            }
        }
        return ids;
    }

    [Fact]
    public async Task under_steady_ingest_every_notification_reaches_a_consumer_a_stream_and_a_webhook()
    {
        var rate = Setting("SUBSCRIPTION_BENCH_RATE", 2_000);
        var seconds = Setting("SUBSCRIPTION_BENCH_SECONDS", 3);
        await using var app = await SubscriptionNode.Create(await TestDatabase.CreateDatabaseAsync(), new Dictionary<string, string?>
        {
            ["Webhooks:AllowedHosts:0"] = "127.0.0.1",
            ["Webhooks:MaxConcurrency"] = "8",
            ["Subscriptions:StreamBufferSize"] = "100000",
        }).StartAsync();
        var api = new Api(app.ClientWith(LeaderboardApp.AdminKey));
        var boards = new List<string>();
        // Two busy boards carry the load; a quiet third one is watched by the SSE client (a dashboard).
        for (var b = 0; b < 3; b++) boards.Add(await api.CreateBoardAsync(extra: new { topN = 10 }));
        // Warm-up: boards that already have players, so top-N entries are as rare as in a running game.
        for (var b = 0; b < boards.Count; b++)
            for (var chunk = 0; chunk < (b == 2 ? 1 : 10); chunk++)
            {
                var seed = Enumerable.Range(0, 1000).Select(i => new { playerId = $"seed{chunk}-{i}", score = (long)Random.Shared.Next(1_000_000) }).ToArray();
                (await api.BatchAsync(boards[b], new { scores = seed })).AssertStatus(HttpStatusCode.OK);
            }
        var groups = new GroupApi(api);
        var pull = await groups.CreateAsync(new { boards = boards.ToArray(), kinds = new[] { "score.submitted" }, startAt = "end" });
        await using var receiver = await WebhookReceiver.StartAsync();
        var webhookGroup = await groups.CreateAsync(new
        {
            boards = boards.ToArray(), kinds = new[] { "rank.enteredTop" }, startAt = "end",
            webhook = new { url = receiver.Url, secret = WebhookReceiver.Secret },
        });
        // Steady state: the dispatcher finds new webhook groups every 2 s; until its first read (its
        // consumer is then listed) the first notifications would wait for that, not for the pipeline.
        while ((await groups.StatusAsync(webhookGroup)).GetProperty("consumers").GetArrayLength() == 0) await Task.Delay(50);
        await using var stream = await SseClient.OpenAsync(app.ClientWith(LeaderboardApp.ReadKey), boards[2]);

        // Send time of each player's (unique) submission: latencies are measured from it, so they
        // include the commit itself (an upper bound on commit-to-delivery).
        var sent = new ConcurrentDictionary<string, long>();
        // Arrival time of each player's notification, and when its submission was acknowledged (the
        // answer of a committed and applied write): delivery after the acknowledgement isolates what
        // the subscription path adds once the commit is done (negative: delivered before the answer).
        var pullArrived = new ConcurrentDictionary<string, long>();
        var sseArrived = new ConcurrentDictionary<string, long>();
        var acknowledged = new ConcurrentDictionary<string, long>();
        var pullLatency = new ConcurrentBag<double>();
        var sseLatency = new ConcurrentBag<double>();
        using var stop = new CancellationTokenSource();
        var pullBody = Encoding.UTF8.GetBytes("""{"consumer":"bench","count":1000,"waitMs":200}""");
        var consumer = Task.Run(async () =>
        {
            while (!stop.IsCancellationRequested)
            {
                using var read = await api.Client.PostAsync($"/v1/subscriptions/{pull}/read", new ByteArrayContent(pullBody));
                var ids = MessageIds(await read.Content.ReadAsByteArrayAsync());
                var now = Stopwatch.GetTimestamp();
                // score.submitted ids are "{sequence}:score.submitted:{playerId}".
                foreach (var id in ids)
                {
                    var player = id[(id.IndexOf(":score.submitted:", StringComparison.Ordinal) + 17)..];
                    pullLatency.Add(Stopwatch.GetElapsedTime(sent[player], now).TotalMilliseconds);
                    pullArrived.TryAdd(player, now);
                }
                if (ids.Count == 0) continue;
                using var ack = await api.Client.PostAsync($"/v1/subscriptions/{pull}/ack",
                    new ByteArrayContent(JsonSerializer.SerializeToUtf8Bytes(new Dictionary<string, List<string>> { ["ids"] = ids })));
            }
        });
        var streamReader = Task.Run(async () =>
        {
            while (!stop.IsCancellationRequested)
            {
                foreach (var e in await stream.ReadEventsAsync(1))
                    if (e.Event == "score.submitted")
                    {
                        sseLatency.Add(Stopwatch.GetElapsedTime(sent[e.Message.Player]).TotalMilliseconds);
                        sseArrived.TryAdd(e.Message.Player, Stopwatch.GetTimestamp());
                    }
            }
        });

        // Paced ingest: every 10 ms one batch per busy board (rate/100 scores in all) and 2 scores on
        // the quiet board. Random scores: entering a top 10 gets rarer as the boards fill, as in a game.
        var perBoard = Math.Max(1, rate / 100 / 2);
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
                var scores = Enumerable.Range(0, b == 2 ? 2 : perBoard)
                    .Select(i => new { playerId = $"t{tick}-b{b}-{i}", score = (long)Random.Shared.Next(1_000_000) }).ToArray();
                var now = Stopwatch.GetTimestamp();
                foreach (var s in scores) sent[s.playerId] = now;
                inFlight.Add(api.BatchAsync(board, new { scores }).ContinueWith(batch =>
                {
                    batch.GetAwaiter().GetResult(); // a failed batch fails the run, not counted as acknowledged
                    var answered = Stopwatch.GetTimestamp();
                    foreach (var s in scores) acknowledged[s.playerId] = answered;
                }, TaskScheduler.Default));
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
        output.WriteLine($"ingest: {expected:N0} scores in {clock.Elapsed.TotalSeconds:F1} s = {achieved:N0}/s (batches every 10 ms on 2 busy boards + 1 quiet)");
        output.WriteLine($"pull consumer (long-poll, batches <= 1000): {Percentiles(pullLatency)}");
        output.WriteLine($"SSE client on the quiet board:              {Percentiles(sseLatency)}");
        output.WriteLine($"webhook receiver (rank.enteredTop, {receiver.Accepted.Count:N0} POSTs): " +
            Percentiles(receiver.Accepted.Select(m => Stopwatch.GetElapsedTime(sent[m.Player], receiver.FirstReceivedAt[m.Id]).TotalMilliseconds)));
        output.WriteLine("after the submission's acknowledgement:");
        output.WriteLine($"  pull consumer: {Percentiles(pullArrived.Select(p => Stopwatch.GetElapsedTime(acknowledged[p.Key], p.Value).TotalMilliseconds))}");
        output.WriteLine($"  SSE client:    {Percentiles(sseArrived.Select(p => Stopwatch.GetElapsedTime(acknowledged[p.Key], p.Value).TotalMilliseconds))}");
        output.WriteLine($"  webhook:       {Percentiles(receiver.Accepted.Select(m => Stopwatch.GetElapsedTime(acknowledged[m.Player], receiver.FirstReceivedAt[m.Id]).TotalMilliseconds))}");
    }

    static string Percentiles(IEnumerable<double> values)
    {
        var sorted = values.Order().ToArray();
        if (sorted.Length == 0) return "no samples";
        double At(double p) => sorted[Math.Min(sorted.Length - 1, (int)(p * sorted.Length))];
        return $"n={sorted.Length:N0} p50={At(0.50):F1} ms p90={At(0.90):F1} ms p99={At(0.99):F1} ms max={sorted[^1]:F1} ms";
    }
}
