using EventLeaderboard.Server.Subscriptions;
using FluentValidation;

namespace EventLeaderboard.Server.History;

public static class HistoryRegistration
{
    /// <summary>The per-player history: the live feed (a projection observer), the index writer and the reader.</summary>
    public static IServiceCollection AddPlayerHistory(this IServiceCollection services, IConfiguration configuration)
    {
        services.Configure<HistoryOptions>(configuration.GetSection("History"));
        services.AddSingleton<HistoryFeed>();
        services.AddSingleton<IProjectionObserver>(sp => sp.GetRequiredService<HistoryFeed>());
        services.AddSingleton<HistoryIndexer>();
        services.AddHostedService(sp => sp.GetRequiredService<HistoryIndexer>());
        services.AddSingleton<HistoryReader>();
        services.AddSingleton<IValidator<HistoryQuery>, HistoryQuery.Validator>();
        return services;
    }
}
