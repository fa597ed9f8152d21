using System.Collections.Concurrent;
using EventLeaderboard.Client;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace EventLeaderboard.Client.Tests;

/// <summary>A request as the fake server received it.</summary>
public sealed record RecordedRequest(string Method, string PathAndQuery, string? Authorization, string? LastEventId, string? ContentType, string Body);

/// <summary>
/// A real Kestrel listener on 127.0.0.1 with an OS-chosen port, answering with whatever the test's handler
/// writes. The client is the unit under test; this stands in for the server so that the client's own
/// behaviour (headers, bodies, retries, error mapping) goes over real HTTP.
/// </summary>
public sealed class FakeServer : IAsyncDisposable
{
    private readonly WebApplication _app;

    private FakeServer(WebApplication app, Uri address) => (_app, Address) = (app, address);

    /// <summary>Base address of the listener, with a trailing slash.</summary>
    public Uri Address { get; }

    /// <summary>Every request received, in arrival order.</summary>
    public ConcurrentQueue<RecordedRequest> Requests { get; } = new();

    /// <summary>Starts a server that records each request, then lets <paramref name="respond"/> answer it.</summary>
    public static async Task<FakeServer> StartAsync(Func<HttpContext, RecordedRequest, Task> respond)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseKestrel(k => k.Listen(System.Net.IPAddress.Loopback, 0));
        var app = builder.Build();

        FakeServer? server = null;
        app.Run(async context =>
        {
            using var reader = new StreamReader(context.Request.Body);
            var recorded = new RecordedRequest(
                context.Request.Method,
                context.Request.Path + context.Request.QueryString,
                context.Request.Headers.Authorization.FirstOrDefault(),
                context.Request.Headers["Last-Event-ID"].FirstOrDefault(),
                context.Request.ContentType,
                await reader.ReadToEndAsync(context.RequestAborted));
            server!.Requests.Enqueue(recorded);
            await respond(context, recorded);
        });

        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.GetRequiredFeature<IServerAddressesFeature>().Addresses.Single();
        server = new FakeServer(app, new Uri(address + "/"));
        return server;
    }

    /// <summary>Starts a server that answers every request with the same status and JSON body.</summary>
    public static Task<FakeServer> AnswerAsync(int status, string json, string contentType = "application/json") =>
        StartAsync((context, _) => WriteAsync(context, status, json, contentType));

    /// <summary>Writes a status and body.</summary>
    public static Task WriteAsync(HttpContext context, int status, string body, string contentType = "application/json")
    {
        context.Response.StatusCode = status;
        context.Response.ContentType = contentType;
        return context.Response.WriteAsync(body);
    }

    /// <summary>A client without resilience (every failure surfaces at once) talking to this server.</summary>
    public LeaderboardClient CreateClient(string? apiKey = "test-key", Action<LeaderboardClientOptions>? configure = null)
    {
        var options = new LeaderboardClientOptions { BaseAddress = Address, ApiKey = apiKey };
        configure?.Invoke(options);
        return LeaderboardClient.Create(options);
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
