using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;

namespace EventLeaderboard.LoadGen.Scenarios;

/// <summary>
/// <c>drain</c>: one consumer group over a fresh board with a backlog, read and acknowledged in
/// batches until empty; reports messages/s and, with <c>--server-pid</c>, the CPU the server and
/// its child processes (its private PostgreSQL) spent per message, the number to compare on a
/// shared machine. Raw HTTP and a lean JSON scan, so the client costs little.
/// </summary>
public static class SubscriptionScenarios
{
    public static async Task<int> DrainAsync(Settings settings, int messages, int batch, int serverPid, CancellationToken ct)
    {
        using var http = new HttpClient(new SocketsHttpHandler { UseProxy = false, MaxConnectionsPerServer = 8 })
        {
            BaseAddress = settings.Url,
            Timeout = TimeSpan.FromMinutes(2),
        };
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", settings.Key);
        var suffix = Guid.NewGuid().ToString("N")[..8];
        var board = $"{settings.Board}-drain-{suffix}";
        var group = $"drain-{suffix}";
        await SendAsync(http, HttpMethod.Put, $"v1/leaderboards/{board}", """{"sortOrder":"descending","updatePolicy":"best"}""", ct);
        await SendAsync(http, HttpMethod.Put, $"v1/subscriptions/{group}",
            $$"""{"boards":["{{board}}"],"kinds":["score.submitted"],"startAt":"end"}""", ct);

        // The backlog: batches of 1000 unique players, four in flight.
        var clock = Stopwatch.StartNew();
        var batches = (messages + 999) / 1000;
        await Parallel.ForEachAsync(Enumerable.Range(0, batches), new ParallelOptions { MaxDegreeOfParallelism = 4, CancellationToken = ct }, async (b, token) =>
        {
            var body = new StringBuilder("""{"scores":[""");
            var n = Math.Min(1000, messages - b * 1000);
            for (var i = 0; i < n; i++)
                body.Append(CultureInfo.InvariantCulture, $$"""{{(i > 0 ? "," : "")}}{"playerId":"p{{b}}-{{i}}","score":{{b * 1000 + i}}}""");
            body.Append("]}");
            await SendAsync(http, HttpMethod.Post, $"v1/leaderboards/{board}/scores/batch", body.ToString(), token);
        });
        Console.WriteLine($"backlog: {messages:N0} scores ingested in {clock.Elapsed.TotalSeconds:F1} s");
        // Wait until every message is durable, so the drain measures reading only.
        while (true)
        {
            using var status = JsonDocument.Parse(await SendAsync(http, HttpMethod.Get, $"v1/subscriptions/{group}", null, ct));
            if (status.RootElement.GetProperty("lag").GetInt64() >= batches) break;
            await Task.Delay(200, ct);
        }

        var cpuBefore = ServerCpuSeconds(serverPid);
        var ownBefore = Process.GetCurrentProcess().TotalProcessorTime;
        clock.Restart();
        var readBody = $$"""{"consumer":"drainer","count":{{batch}},"waitMs":1000}""";
        long received = 0, reads = 0;
        while (received < messages && !ct.IsCancellationRequested)
        {
            var ids = MessageIds(await SendAsync(http, HttpMethod.Post, $"v1/subscriptions/{group}/read", readBody, ct));
            reads++;
            received += ids.Count;
            if (ids.Count == 0)
            {
                if (clock.Elapsed > TimeSpan.FromMinutes(1) && received == 0) break;
                continue;
            }
            await SendAsync(http, HttpMethod.Post, $"v1/subscriptions/{group}/ack", JsonSerializer.Serialize(new Dictionary<string, List<string>> { ["ids"] = ids }), ct);
        }
        var elapsed = clock.Elapsed;
        var cpu = ServerCpuSeconds(serverPid) - cpuBefore;
        var own = (Process.GetCurrentProcess().TotalProcessorTime - ownBefore).TotalSeconds;
        Console.WriteLine($"drain: {received:N0} messages in {elapsed.TotalSeconds:F2} s = {received / elapsed.TotalSeconds:N0} messages/s ({reads:N0} reads of up to {batch}, each acknowledged)");
        if (serverPid > 0)
            Console.WriteLine($"CPU per message: server + its PostgreSQL {cpu / Math.Max(1, received) * 1e6:F1} us, this client {own / Math.Max(1, received) * 1e6:F1} us");
        Console.WriteLine($"load average at the end: {File.ReadAllText("/proc/loadavg").Trim()}");
        await SendAsync(http, HttpMethod.Delete, $"v1/subscriptions/{group}", null, ct);
        return received == messages ? 0 : 1;
    }

    static async Task<string> SendAsync(HttpClient http, HttpMethod method, string path, string? json, CancellationToken ct)
    {
        using var request = new HttpRequestMessage(method, path);
        if (json is not null) request.Content = new StringContent(json, Encoding.UTF8, "application/json");
        using var response = await http.SendAsync(request, ct);
        var text = await response.Content.ReadAsStringAsync(ct);
        if (!response.IsSuccessStatusCode) throw new HttpRequestException($"{method} {path}: {(int)response.StatusCode} {text}");
        return text;
    }

    /// <summary>The <c>id</c> of each message of a read's answer (message objects sit at depth 2).</summary>
    static List<string> MessageIds(string json)
    {
        var ids = new List<string>(1000);
        var reader = new Utf8JsonReader(Encoding.UTF8.GetBytes(json));
        while (reader.Read())
        {
            if (reader.TokenType == JsonTokenType.PropertyName && reader.CurrentDepth == 3 && reader.ValueTextEquals("id"u8))
            {
                reader.Read();
                ids.Add(reader.GetString()!);
            }
        }
        return ids;
    }

    /// <summary>CPU seconds of a process and all its descendants (the server and the PostgreSQL it started); 0 without a pid.</summary>
    static double ServerCpuSeconds(int rootPid)
    {
        if (rootPid <= 0) return 0;
        var stats = new Dictionary<int, (int Parent, long Ticks)>();
        foreach (var dir in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(dir), out var pid)) continue;
            try
            {
                var stat = File.ReadAllText(Path.Combine(dir, "stat"));
                // Fields after "(comm) ": state, ppid, ... utime is the 14th field, stime the 15th.
                var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
                stats[pid] = (int.Parse(fields[1], CultureInfo.InvariantCulture),
                    long.Parse(fields[11], CultureInfo.InvariantCulture) + long.Parse(fields[12], CultureInfo.InvariantCulture));
            }
            catch (IOException)
            {
                // The process exited while we looked.
            }
        }
        var tree = new HashSet<int> { rootPid };
        for (var grew = true; grew;)
        {
            grew = false;
            foreach (var (pid, (parent, _)) in stats)
                if (tree.Contains(parent) && tree.Add(pid)) grew = true;
        }
        return tree.Sum(pid => stats.TryGetValue(pid, out var s) ? s.Ticks : 0) / 100.0; // USER_HZ is 100 on Linux
    }
}
