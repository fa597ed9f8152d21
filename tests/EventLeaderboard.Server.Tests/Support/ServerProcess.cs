using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Sockets;

namespace EventLeaderboard.Server.Tests.Support;

/// <summary>The server as a separate OS process (<c>dotnet EventLeaderboard.Server.dll</c>), so it can be SIGKILLed.</summary>
public sealed class ServerProcess : IAsyncDisposable
{
    public const string Key = "crash-admin-key";

    readonly Process _process;
    readonly ConcurrentQueue<string> _output = new();

    ServerProcess(Process process, int port)
    {
        _process = process;
        BaseAddress = new Uri($"http://127.0.0.1:{port}");
    }

    public Uri BaseAddress { get; }

    /// <summary>The last lines the server printed (for failure messages).</summary>
    public string RecentOutput => string.Join(Environment.NewLine, _output.TakeLast(40));

    /// <summary>Starts a node and waits until it is ready.</summary>
    /// <param name="nodeName">Node:Name (several nodes on one database need distinct names).</param>
    /// <param name="settings">Extra configuration as environment variables (<c>Section__Key</c>).</param>
    public static async Task<ServerProcess> StartAsync(
        string connectionString, int port, string nodeName = "crash-node", IReadOnlyDictionary<string, string>? settings = null)
    {
        var info = new ProcessStartInfo("dotnet", [typeof(Program).Assembly.Location])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = Path.GetDirectoryName(typeof(Program).Assembly.Location)!,
        };
        info.Environment["ASPNETCORE_ENVIRONMENT"] = "Production";
        info.Environment["ConnectionStrings__Postgres"] = connectionString;
        info.Environment["Urls"] = $"http://127.0.0.1:{port}";
        info.Environment["Node__Name"] = nodeName;
        info.Environment["Auth__ApiKeys__0__Name"] = "crash-test";
        info.Environment["Auth__ApiKeys__0__Key"] = Key;
        info.Environment["Auth__ApiKeys__0__Roles__0"] = "admin";
        foreach (var (key, value) in settings ?? new Dictionary<string, string>()) info.Environment[key] = value;
        var process = Process.Start(info) ?? throw new InvalidOperationException("Could not start the server.");
        var server = new ServerProcess(process, port);
        process.OutputDataReceived += (_, e) => server.Remember(e.Data);
        process.ErrorDataReceived += (_, e) => server.Remember(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        await server.WaitUntilReadyAsync();
        return server;
    }

    public HttpClient CreateClient()
    {
        var client = new HttpClient { BaseAddress = BaseAddress, Timeout = TimeSpan.FromSeconds(30) };
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", Key);
        return client;
    }

    public Api Api() => new(CreateClient());

    /// <summary>SIGKILL: no shutdown hooks run, exactly like a crash or an OOM kill.</summary>
    public void Kill()
    {
        _process.Kill(entireProcessTree: true);
        _process.WaitForExit(10_000);
    }

    public static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
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
