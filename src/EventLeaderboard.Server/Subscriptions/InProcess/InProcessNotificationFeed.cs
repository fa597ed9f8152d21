using EventLeaderboard.Server.Projection;
using Microsoft.Extensions.Options;
using Wolverine;

namespace EventLeaderboard.Server.Subscriptions.InProcess;

/// <summary>
/// Feeds the server's own Wolverine handlers from the internal consumer group
/// <see cref="SubscriptionOptions.InProcessGroup"/> (rank.* notifications of every board): reads,
/// invokes the handler of each typed notification through <see cref="IMessageBus.InvokeAsync"/>,
/// acknowledges what succeeded. A handler that throws leaves its message (and the rest of that
/// board's batch, to keep order) unacknowledged: it comes back after the ack timeout and goes to
/// the group's dead letters after <c>maxDeliveries</c>. Every node runs one consumer.
/// </summary>
public sealed class InProcessNotificationFeed(
    IServiceScopeFactory scopes,
    ConsumerGroupStore store,
    GroupReader reader,
    LeaderboardProjection projection,
    IOptions<SubscriptionOptions> options,
    IConfiguration configuration,
    ILogger<InProcessNotificationFeed> logger) : BackgroundService
{
    const string Group = SubscriptionOptions.InProcessGroup;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!options.Value.InProcessHandlers) return;
        await Task.Yield();
        var consumer = ConsumerNames.Node(configuration);
        // Checked once, not per read (a query per cycle for nothing); a read answering null (the
        // group was deleted) makes the next cycle define it again.
        var defined = false;
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                while (!projection.IsReady) await Task.Delay(200, stoppingToken);
                if (!defined && await store.GetAsync(Group, stoppingToken) is null)
                    await store.DefineAsync(new GroupDefinition(Group, ["*"], Notifications.Kinds, 30, 5, null, null),
                        GroupStart.After(projection.AppliedSequence / Ingest.LogPosition.ItemsPerEvent), stoppingToken);
                defined = true;
                var messages = await reader.ReadAsync(Group, consumer, 100, TimeSpan.FromSeconds(5), stoppingToken);
                if (messages is null) defined = false;
                if (messages is null || messages.Count == 0) continue;
                var acked = new List<string>(messages.Count);
                var failedBoards = new HashSet<string>(StringComparer.Ordinal);
                // IMessageBus is scoped: one scope per batch (resolving it from the root provider
                // fails where scope validation is on, as in Development).
                await using var scope = scopes.CreateAsyncScope();
                var bus = scope.ServiceProvider.GetRequiredService<IMessageBus>();
                foreach (var m in messages)
                {
                    if (failedBoards.Contains(m.BoardId)) continue;
                    try
                    {
                        if (Notifications.From(m) is { } notification) await bus.InvokeAsync(notification, stoppingToken);
                        acked.Add(m.Id);
                    }
                    catch (Exception e) when (e is not OperationCanceledException)
                    {
                        logger.LogWarning(e, "In-process handler failed for {Id}; it will be delivered again", m.Id);
                        failedBoards.Add(m.BoardId);
                    }
                }
                if (acked.Count > 0) await store.AckAsync(Group, [.. acked], stoppingToken);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e)
            {
                logger.LogWarning(e, "In-process notification feed failed; retrying");
                try { await Task.Delay(TimeSpan.FromSeconds(1), stoppingToken); } catch (OperationCanceledException) { return; }
            }
        }
    }
}
