namespace EventLeaderboard.Server.Audit;

public static class AuditRegistration
{
    /// <summary>Rebuilds, verify, asOf boards.</summary>
    public static IServiceCollection AddAudit(this IServiceCollection services, IConfiguration configuration)
    {
        services.Configure<AuditOptions>(configuration.GetSection("Audit"));
        services.AddSingleton<LogReplay>();
        services.AddSingleton<BoardRebuilder>();
        services.AddSingleton<BoardVerifier>();
        services.AddSingleton<AsOfBoards>();
        services.AddSingleton<AsOfQueries>();
        return services;
    }
}
