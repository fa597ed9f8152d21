using System.Buffers;
using System.Text;
using System.Threading.Channels;
using EventLeaderboard.Server.Auth;
using EventLeaderboard.Server.Http;
using EventLeaderboard.Server.Projection;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.Options;
using Wolverine.Http;

namespace EventLeaderboard.Server.Subscriptions.Streaming;

public static class StreamBoardEndpoint
{
    /// <summary>
    /// The board's messages as Server-Sent Events (<c>text/event-stream</c>): <c>id</c> is the
    /// message id, <c>event</c> its kind, <c>data</c> the message as a read returns it. With
    /// <c>Last-Event-ID</c> (a message id, or a bare sequence meaning "after everything of that
    /// sequence") the stream first replays what came after it from the durable messages, then
    /// continues live. Idle streams get a <c>: heartbeat</c> comment every
    /// <see cref="SubscriptionOptions.HeartbeatSeconds"/>. A client that falls
    /// <see cref="SubscriptionOptions.StreamBufferSize"/> messages behind is disconnected.
    /// </summary>
    [WolverineGet("/v1/leaderboards/{boardId}/stream")]
    [Authorize(Policy = Roles.Read)]
    public static IResult Get(string boardId, HttpContext context, LeaderboardProjection projection)
    {
        if (!projection.TryGetBoard(boardId, out _)) return ProblemResult.BoardNotFound(boardId);
        var lastEventId = context.Request.Headers["Last-Event-ID"].ToString();
        if (lastEventId.Length > 0 && !LogMessage.TryParseSequence(lastEventId, out _))
            return ProblemResult.Validation("Last-Event-ID", "Must be a message id or a sequence number.");
        return new BoardStreamResult(boardId, lastEventId.Length > 0 ? lastEventId : null);
    }
}

/// <summary>Writes the stream until the client leaves, the server stops or the client is dropped for being slow.</summary>
public sealed class BoardStreamResult(string boardId, string? lastEventId) : IResult
{
    public async Task ExecuteAsync(HttpContext context)
    {
        var services = context.RequestServices;
        var live = services.GetRequiredService<LiveBroadcast>();
        var store = services.GetRequiredService<ConsumerGroupStore>();
        var writer = services.GetRequiredService<MessageWriter>();
        var options = services.GetRequiredService<IOptions<SubscriptionOptions>>().Value;
        var lifetime = services.GetRequiredService<IHostApplicationLifetime>();
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(context.RequestAborted, lifetime.ApplicationStopping);
        var ct = stop.Token;

        var response = context.Response;
        response.StatusCode = StatusCodes.Status200OK;
        response.ContentType = "text/event-stream";
        response.Headers.CacheControl = "no-cache";
        response.Headers["X-Accel-Buffering"] = "no"; // nginx: do not buffer the stream
        context.Features.Get<IHttpResponseBodyFeature>()?.DisableBuffering();

        using var subscription = live.Subscribe(boardId);
        try
        {
            await response.WriteAsync(": stream of " + boardId + "\n\n", ct);
            await response.Body.FlushAsync(ct);
            if (lastEventId is not null) await ReplayAsync(context, store, writer, subscription.AfterSeqId, ct);
            await LiveAsync(context, subscription.Messages, TimeSpan.FromSeconds(Math.Max(0.05, options.HeartbeatSeconds)), ct);
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
        }
        catch (SlowClientException)
        {
            // Dropped: closing the response is the signal; the client resumes with Last-Event-ID.
        }
    }

    /// <summary>Serves what the client missed, from the messages table, up to where the live feed starts.</summary>
    async Task ReplayAsync(HttpContext context, ConsumerGroupStore store, MessageWriter writer, long liveAfterSeqId, CancellationToken ct)
    {
        LogMessage.TryParseSequence(lastEventId, out var sequence);
        var bareSequence = !lastEventId!.Contains(':', StringComparison.Ordinal);
        // The live feed starts after events this node derived already; wait until they are written.
        var waitUntil = DateTime.UtcNow + TimeSpan.FromSeconds(10);
        while (writer.WrittenUpTo < liveAfterSeqId && DateTime.UtcNow < waitUntil)
        {
            // A cancelled delay completes WhenAny at once without throwing: stop, don't spin.
            ct.ThrowIfCancellationRequested();
            await Task.WhenAny(writer.NextWrite, Task.Delay(100, ct));
        }

        var fromSeqId = sequence / Ingest.LogPosition.ItemsPerEvent;
        var passedLastSeen = bareSequence;
        while (fromSeqId <= liveAfterSeqId)
        {
            var rows = await store.LoadRowsAsync(fromSeqId, liveAfterSeqId, 64, ct);
            if (rows.Count == 0) break;
            foreach (var messages in rows)
            {
                foreach (var m in messages)
                {
                    if (m.BoardId != boardId || m.Sequence < sequence) continue;
                    if (m.Sequence == sequence && !passedLastSeen)
                    {
                        // Same causing event as the last seen message: resume right after it.
                        if (m.Id == lastEventId) passedLastSeen = true;
                        continue;
                    }
                    if (m.Sequence == sequence && bareSequence) continue;
                    await WriteEventAsync(context, m, ct);
                }
                fromSeqId = LogMessage.SeqIdOf(messages[0].Ordinal) + 1;
            }
            await context.Response.Body.FlushAsync(ct);
        }
    }

    static async Task LiveAsync(HttpContext context, ChannelReader<LogMessage> messages, TimeSpan heartbeat, CancellationToken ct)
    {
        while (true)
        {
            using var tick = CancellationTokenSource.CreateLinkedTokenSource(ct);
            tick.CancelAfter(heartbeat);
            bool more;
            try { more = await messages.WaitToReadAsync(tick.Token); }
            catch (OperationCanceledException) when (!ct.IsCancellationRequested)
            {
                await context.Response.WriteAsync(": heartbeat\n\n", ct);
                await context.Response.Body.FlushAsync(ct);
                continue;
            }
            if (!more) return;
            while (messages.TryRead(out var m)) await WriteEventAsync(context, m, ct);
            await context.Response.Body.FlushAsync(ct);
        }
    }

    static Task WriteEventAsync(HttpContext context, LogMessage m, CancellationToken ct)
    {
        var json = MessageJson.ToBytes(DeliveredMessage.From(m, 1));
        var buffer = new ArrayBufferWriter<byte>(json.Length + 128);
        buffer.Write(Encoding.UTF8.GetBytes($"id: {m.Id}\nevent: {m.KindName}\ndata: "));
        buffer.Write(json);
        buffer.Write("\n\n"u8);
        return context.Response.Body.WriteAsync(buffer.WrittenMemory, ct).AsTask();
    }
}
