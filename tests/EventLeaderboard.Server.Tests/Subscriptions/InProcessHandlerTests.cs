using System.Collections.Concurrent;
using System.Net.Http.Headers;
using EventLeaderboard.Server.Tests.Infrastructure;
using EventLeaderboard.Server.Tests.Support;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace EventLeaderboard.Server.Tests.Subscriptions;

public sealed class InProcessHandlerTests
{
    [Fact]
    public async Task a_new_leader_reaches_the_servers_own_wolverine_handler_through_the_internal_group()
    {
        var logs = new LogCapture();
        await using var node = SubscriptionNode.Create(await TestDatabase.CreateDatabaseAsync())
            .WithWebHostBuilder(b => b.ConfigureServices(s => s.AddSingleton<ILoggerProvider>(logs)));
        var client = node.CreateClient();
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", LeaderboardApp.AdminKey);
        var api = new Api(client);
        await Eventually(async () => (await client.GetAsync("/health/ready")).IsSuccessStatusCode);
        // The feed creates its group once the node is ready; scores before that are not its business.
        await Eventually(async () => (await client.GetAsync("/v1/subscriptions/_server.notifications")).IsSuccessStatusCode);

        var board = await api.CreateBoardAsync();
        await api.SubmitOkAsync(board, "first", 10);
        await api.SubmitOkAsync(board, "usurper", 20);

        await Eventually(() => Task.FromResult(logs.Lines.Any(l => l.Contains($"Board {board} has a new leader: usurper (previously first)"))));
        await Eventually(async () =>
        {
            var status = await new GroupApi(api).StatusAsync("_server.notifications");
            return status.GetProperty("pending").GetInt64() == 0;
        });
        Assert.Equal(0, (await new GroupApi(api).StatusAsync("_server.notifications")).GetProperty("deadLetters").GetInt64());
        Assert.Contains(logs.Lines, l => l.Contains($"Board {board} has a new leader: first (previously nobody)"));
    }

    static async Task Eventually(Func<Task<bool>> condition)
    {
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (!await condition())
        {
            if (DateTime.UtcNow > deadline) Assert.Fail("The condition did not become true within 30 seconds.");
            await Task.Delay(100);
        }
    }

    /// <summary>Keeps every formatted log line of the node.</summary>
    sealed class LogCapture : ILoggerProvider, ILogger
    {
        public ConcurrentQueue<string> Lines { get; } = new();

        public ILogger CreateLogger(string categoryName) => this;

        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => logLevel >= LogLevel.Information;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (IsEnabled(logLevel)) Lines.Enqueue(formatter(state, exception));
        }

        public void Dispose() { }
    }
}
