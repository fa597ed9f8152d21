using EventLeaderboard.Server.Subscriptions.Endpoints;
using EventLeaderboard.Server.Subscriptions.Streaming;
using EventLeaderboard.Server.Subscriptions.Webhooks;
using FluentValidation;

namespace EventLeaderboard.Server.Subscriptions;

public static class SubscriptionRegistration
{
    /// <summary>
    /// Consumer groups, notifications, webhooks and live streams. The endpoints are Wolverine HTTP
    /// endpoints found by convention; this registers the services behind them.
    /// </summary>
    public static IServiceCollection AddSubscriptions(this IServiceCollection services, IConfiguration configuration)
    {
        services.Configure<SubscriptionOptions>(configuration.GetSection("Subscriptions"));
        services.Configure<WebhookOptions>(configuration.GetSection("Webhooks"));

        services.AddSingleton<SubscriptionSchema>();
        services.AddSingleton<MessageWriter>();
        services.AddHostedService(sp => sp.GetRequiredService<MessageWriter>());
        services.AddSingleton<LiveBroadcast>();
        services.AddSingleton<NotificationDeriver>();
        // The projection takes its observer as an optional constructor argument.
        services.AddSingleton<IProjectionObserver>(sp => sp.GetRequiredService<NotificationDeriver>());
        services.AddSingleton<ConsumerGroupStore>();
        services.AddSingleton<MessageRetention>();
        services.AddHostedService(sp => sp.GetRequiredService<MessageRetention>());
        services.AddSingleton<GroupReader>();

        services.AddHttpClient(WebhookDispatcher.HttpClientName)
            .RemoveAllLoggers() // a log line per POST would flood the log at thousands of messages a second
            .ConfigurePrimaryHttpMessageHandler(() => new SocketsHttpHandler
            {
                // A redirect could lead anywhere, including into private networks: never follow one.
                AllowAutoRedirect = false,
                PooledConnectionLifetime = TimeSpan.FromMinutes(5),
            });
        services.AddSingleton<WebhookDispatcher>();
        services.AddHostedService(sp => sp.GetRequiredService<WebhookDispatcher>());
        services.AddHostedService<InProcess.InProcessNotificationFeed>();

        services.AddSingleton<IValidator<DefineGroup>, DefineGroup.Validator>();
        services.AddSingleton<IValidator<ReadMessages>, ReadMessages.Validator>();
        services.AddSingleton<IValidator<AckMessages>, AckMessages.Validator>();
        services.AddSingleton<IValidator<ResetGroup>, ResetGroup.Validator>();
        return services;
    }
}
