using System.Collections.Concurrent;
using EventLeaderboard.Server.Subscriptions.Webhooks;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;

namespace EventLeaderboard.Server.Tests.Subscriptions;

/// <summary>
/// A webhook endpoint on loopback (real Kestrel, real HTTP) that checks every signature and can be
/// told to fail. Records each accepted message and every attempt.
/// </summary>
public sealed class WebhookReceiver : IAsyncDisposable
{
    readonly WebApplication _app;

    public const string Secret = "test-webhook-secret";

    WebhookReceiver(WebApplication app) => _app = app;

    /// <summary>Answers 500 while this returns true for the attempt number (1-based, over all requests).</summary>
    public Func<int, bool> Fail { get; set; } = _ => false;

    public string Url { get; private set; } = "";

    /// <summary>Accepted (2xx) messages in arrival order: (message id header, board, parsed body).</summary>
    public ConcurrentQueue<Message> Accepted { get; } = new();

    /// <summary><see cref="System.Diagnostics.Stopwatch"/> timestamp of each message's first acceptance.</summary>
    public ConcurrentDictionary<string, long> FirstReceivedAt { get; } = new();

    public int Attempts => _attempts;

    public int BadSignatures => _badSignatures;

    int _attempts;
    int _badSignatures;

    public static async Task<WebhookReceiver> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        var app = builder.Build();
        var receiver = new WebhookReceiver(app);
        app.MapPost("/hook", (Delegate)receiver.HandleAsync);
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        receiver.Url = address + "/hook";
        return receiver;
    }

    async Task<IResult> HandleAsync(HttpContext context)
    {
        using var buffer = new MemoryStream();
        await context.Request.Body.CopyToAsync(buffer);
        var body = buffer.ToArray();
        var attempt = Interlocked.Increment(ref _attempts);
        if (!WebhookSignature.Verify(Secret, body, context.Request.Headers[WebhookSignature.SignatureHeader]))
        {
            Interlocked.Increment(ref _badSignatures);
            return Results.StatusCode(401);
        }
        if (Fail(attempt)) return Results.StatusCode(500);
        var message = Message.From(System.Text.Json.JsonDocument.Parse(body).RootElement);
        if (message.Id != context.Request.Headers[WebhookSignature.MessageIdHeader]) return Results.StatusCode(400);
        FirstReceivedAt.TryAdd(message.Id, System.Diagnostics.Stopwatch.GetTimestamp());
        Accepted.Enqueue(message);
        return Results.Ok();
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
