using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net.Http.Headers;
using EventLeaderboard.Server.Tests.Support;

namespace EventLeaderboard.Server.Tests.Subscriptions;

/// <summary>
/// A server node as its own OS process (so it can be SIGKILLed), with a node name and extra
/// settings: the subscription tests need several named nodes and webhook settings, which the
/// crash tests' <see cref="ServerProcess"/> does not take.
/// </summary>
public sealed class NodeProcess : IAsyncDisposable
{
    public const string Key = "node-admin-key";

    readonly Process _process;
    readonly ConcurrentQueue<string> _output = new();

    NodeProcess(Process process, int port)
    {
        _process = process;
        BaseAddress = new Uri($"http://127.0.0.1:{port}");
    }

    public Uri BaseAddress { get; }

    public string RecentOutput => string.Join(Environment.NewLine, _output.TakeLast(40));

    public static async Task<NodeProcess> StartAsync(string connectionString, string nodeName, int? port = null, IDictionary<string, string>? settings = null)
    {
        var actualPort = port ?? ServerProcess.FreePort();
        var info = new ProcessStartInfo("dotnet", [typeof(Program).Assembly.Location])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = Path.GetDirectoryName(typeof(Program).Assembly.Location)!,
        };
        info.Environment["ASPNETCORE_ENVIRONMENT"] = "Production";
        info.Environment["ConnectionStrings__Postgres"] = connectionString;
        info.Environment["Urls"] = $"http://127.0.0.1:{actualPort}";
        info.Environment["Node__Name"] = nodeName;
        info.Environment["Auth__ApiKeys__0__Name"] = "node-test";
        info.Environment["Auth__ApiKeys__0__Key"] = Key;
        info.Environment["Auth__ApiKeys__0__Roles__0"] = "admin";
        info.Environment["Webhooks__AllowedHosts__0"] = "127.0.0.1";
        info.Environment["Webhooks__BaseBackoffMs"] = "20";
        info.Environment["Webhooks__MaxBackoffMs"] = "200";
        foreach (var (key, value) in settings ?? new Dictionary<string, string>()) info.Environment[key] = value;
        var process = Process.Start(info) ?? throw new InvalidOperationException("Could not start the server.");
        var node = new NodeProcess(process, actualPort);
        process.OutputDataReceived += (_, e) => node.Remember(e.Data);
        process.ErrorDataReceived += (_, e) => node.Remember(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        await node.WaitUntilReadyAsync();
        return node;
    }

    public Api Api()
    {
        var client = new HttpClient { BaseAddress = BaseAddress, Timeout = TimeSpan.FromSeconds(30) };
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", Key);
        return new Api(client);
    }

    /// <summary>SIGKILL: no shutdown code runs.</summary>
    public void Kill()
    {
        _process.Kill(entireProcessTree: true);
        _process.WaitForExit(10_000);
    }

    async Task WaitUntilReadyAsync()
    {
        using var client = new HttpClient { BaseAddress = BaseAddress, Timeout = TimeSpan.FromSeconds(2) };
        var deadline = DateTime.UtcNow.AddSeconds(90);
        while (DateTime.UtcNow < deadline)
        {
            if (_process.HasExited) throw new InvalidOperationException($"The server exited early:{Environment.NewLine}{RecentOutput}");
            try
            {
                if ((await client.GetAsync("/health/ready")).IsSuccessStatusCode) return;
            }
            catch (HttpRequestException) { }
            catch (TaskCanceledException) { }
            await Task.Delay(100);
        }
        throw new TimeoutException($"The server did not become ready:{Environment.NewLine}{RecentOutput}");
    }

    void Remember(string? line)
    {
        if (line is null) return;
        _output.Enqueue(line);
        while (_output.Count > 200) _output.TryDequeue(out _);
    }

    public ValueTask DisposeAsync()
    {
        if (!_process.HasExited) Kill();
        _process.Dispose();
        return ValueTask.CompletedTask;
    }
}
