using System.Net.Http.Headers;
using Microsoft.Extensions.Options;

namespace EventLeaderboard.Server.Subscriptions.Webhooks;

/// <summary>
/// Consumes every group that has a <c>webhook</c> and POSTs its messages. Every node runs one
/// consumer per webhook group (named <c>webhook:&lt;node&gt;</c>): the group hands each board to one
/// of them at a time, so nodes share the boards and a dead node's boards move to the others when
/// their ack deadline passes (<c>ackTimeoutSeconds</c>, 30 by default).
/// </summary>
/// <remarks>
/// A board's messages are posted one after another, in order; boards proceed in parallel, at most
/// <see cref="WebhookOptions.MaxConcurrency"/> POSTs at once per group on this node. A 2xx answer
/// acknowledges. Anything else (or a timeout, or a host no longer allowed) counts a delivery in
/// PostgreSQL and is retried after an exponential backoff with jitter; when the count reaches
/// <c>maxDeliveries</c> the message goes to the dead letters and the board moves on.
/// </remarks>
public sealed class WebhookDispatcher(
    ConsumerGroupStore store,
    GroupReader reader,
    IHttpClientFactory httpClients,
    IOptionsMonitor<WebhookOptions> options,
    IConfiguration configuration,
    ILogger<WebhookDispatcher> logger) : BackgroundService
{
    public const string HttpClientName = "webhooks";
    static readonly TimeSpan Rescan = TimeSpan.FromSeconds(2);

    readonly string _consumer = "webhook:" + ConsumerNames.Node(configuration);
    readonly Dictionary<string, (GroupDefinition Definition, CancellationTokenSource Stop, Task Loop)> _running = new(StringComparer.Ordinal);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        await Task.Yield();
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                var groups = (await store.ListWebhookGroupsAsync(stoppingToken)).ToDictionary(g => g.Name, StringComparer.Ordinal);
                foreach (var (name, running) in _running.ToList())
                {
                    if (groups.TryGetValue(name, out var current) && SameTarget(current, running.Definition) && !running.Loop.IsCompleted) continue;
                    await running.Stop.CancelAsync();
                    _running.Remove(name);
                }
                foreach (var (name, definition) in groups)
                {
                    if (_running.ContainsKey(name)) continue;
                    var stop = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken);
                    _running[name] = (definition, stop, Task.Run(() => RunGroupAsync(definition, stop.Token), CancellationToken.None));
                }
                await Task.Delay(Rescan, stoppingToken);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                break;
            }
            catch (Exception e)
            {
                logger.LogWarning(e, "Listing webhook groups failed; retrying");
                try { await Task.Delay(Rescan, stoppingToken); } catch (OperationCanceledException) { break; }
            }
        }
        foreach (var running in _running.Values) await running.Stop.CancelAsync();
        await Task.WhenAll(_running.Values.Select(r => r.Loop));
    }

    static bool SameTarget(GroupDefinition a, GroupDefinition b) =>
        a.WebhookUrl == b.WebhookUrl && a.WebhookSecret == b.WebhookSecret && a.MaxDeliveries == b.MaxDeliveries && a.AckTimeoutSeconds == b.AckTimeoutSeconds;

    async Task RunGroupAsync(GroupDefinition group, CancellationToken ct)
    {
        using var slots = new SemaphoreSlim(Math.Max(1, options.CurrentValue.MaxConcurrency));
        while (!ct.IsCancellationRequested)
        {
            try
            {
                var messages = await reader.ReadAsync(group.Name, _consumer, 100, TimeSpan.FromSeconds(5), ct);
                if (messages is null) return; // deleted
                var boards = messages.GroupBy(m => m.BoardId).Select(board => DeliverBoardAsync(group, board.ToList(), slots, ct));
                await Task.WhenAll(boards);
            }
            catch (OperationCanceledException) when (ct.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e)
            {
                logger.LogWarning(e, "Webhook group {Group} failed; retrying", group.Name);
                try { await Task.Delay(TimeSpan.FromSeconds(1), ct); } catch (OperationCanceledException) { return; }
            }
        }
    }

    async Task DeliverBoardAsync(GroupDefinition group, List<DeliveredMessage> messages, SemaphoreSlim slots, CancellationToken ct)
    {
        var acked = new List<string>(messages.Count);
        foreach (var first in messages)
        {
            var message = first;
            while (true)
            {
                bool delivered;
                await slots.WaitAsync(ct);
                try { delivered = await PostAsync(group, message, ct); }
                finally { slots.Release(); }
                if (delivered)
                {
                    acked.Add(message.Id);
                    break;
                }
                if (message.DeliveryCount >= group.MaxDeliveries)
                {
                    await store.DeadLetterAsync(group.Name, message.Id, ct);
                    logger.LogWarning("Webhook message {Id} of group {Group} is dead-lettered after {Count} deliveries", message.Id, group.Name, message.DeliveryCount);
                    break;
                }
                await Task.Delay(Backoff(message.DeliveryCount), ct);
                if (await store.CountRetryAsync(group.Name, message.Id, group.AckTimeoutSeconds, ct) is not { } count)
                {
                    // No longer ours (the group was reset, or another consumer took the board over):
                    // its later messages are not ours either; keep what was delivered and stop.
                    if (acked.Count > 0) await store.AckAsync(group.Name, [.. acked], ct);
                    return;
                }
                message = message with { DeliveryCount = count };
            }
        }
        if (acked.Count > 0) await store.AckAsync(group.Name, [.. acked], ct);
    }

    TimeSpan Backoff(int attempt)
    {
        var o = options.CurrentValue;
        var exponential = Math.Min(o.MaxBackoffMs, o.BaseBackoffMs * Math.Pow(2, Math.Min(attempt - 1, 20)));
        return TimeSpan.FromMilliseconds(exponential * (0.5 + Random.Shared.NextDouble()));
    }

    async Task<bool> PostAsync(GroupDefinition group, DeliveredMessage message, CancellationToken ct)
    {
        var o = options.CurrentValue;
        var url = new Uri(group.WebhookUrl!);
        if (!WebhookHosts.IsAllowed(url, o))
        {
            logger.LogWarning("Webhook host {Host} of group {Group} is not in Webhooks:AllowedHosts; not posting", url.Host, group.Name);
            return false;
        }
        var body = MessageJson.ToBytes(message);
        using var request = new HttpRequestMessage(HttpMethod.Post, url) { Content = new ByteArrayContent(body) };
        request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json") { CharSet = "utf-8" };
        request.Headers.TryAddWithoutValidation(WebhookSignature.MessageIdHeader, message.Id);
        request.Headers.TryAddWithoutValidation(WebhookSignature.SignatureHeader, WebhookSignature.Sign(group.WebhookSecret ?? "", body));
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
        timeout.CancelAfter(TimeSpan.FromSeconds(o.TimeoutSeconds));
        try
        {
            using var response = await httpClients.CreateClient(HttpClientName).SendAsync(request, HttpCompletionOption.ResponseHeadersRead, timeout.Token);
            return response.IsSuccessStatusCode;
        }
        catch (Exception e) when (e is HttpRequestException || (e is OperationCanceledException && !ct.IsCancellationRequested))
        {
            logger.LogDebug(e, "Webhook POST of {Id} failed", message.Id);
            return false;
        }
    }
}
