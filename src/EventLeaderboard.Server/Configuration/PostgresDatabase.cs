using EventLeaderboard.Server.Infrastructure;
using Microsoft.Extensions.Options;

namespace EventLeaderboard.Server.Configuration;

/// <summary>
/// The database the node uses: <c>ConnectionStrings:Postgres</c> when configured, otherwise a
/// private PostgreSQL started from the local binaries in <see cref="StorageOptions.LocalDataDirectory"/>
/// (so that <c>dotnet run</c> on a fresh clone works and keeps its data across restarts).
/// </summary>
public sealed class PostgresDatabase : IAsyncDisposable
{
    PostgresDatabase(string connectionString, LocalPostgres? local)
    {
        ConnectionString = connectionString;
        Local = local;
    }

    public string ConnectionString { get; }

    /// <summary>The private server this node started, stopped when the node stops; null when configured.</summary>
    public LocalPostgres? Local { get; }

    /// <summary>
    /// Stops a private server when the container is disposed. Command-line commands build the host
    /// without running its hosted services' stop phase, so <see cref="PostgresLifetime"/> alone
    /// would leave the server running after a command; stopping twice is harmless.
    /// </summary>
    public ValueTask DisposeAsync() => Local is null ? ValueTask.CompletedTask : new(Local.StopAsync());

    public static PostgresDatabase Open(IConfiguration configuration, IOptions<StorageOptions> storage, ILogger<PostgresDatabase> logger)
    {
        if (configuration.GetConnectionString("Postgres") is { Length: > 0 } configured)
            return new PostgresDatabase(configured, null);
        var options = storage.Value;
        logger.LogInformation("No ConnectionStrings:Postgres configured: starting a private PostgreSQL in {Directory}", Path.GetFullPath(options.LocalDataDirectory));
        // Called once, while the host builds its singletons at start-up, before anything is served.
        var local = LocalPostgres.StartAsync(new LocalPostgresOptions(options.LocalDataDirectory, options.LocalPort), logger).GetAwaiter().GetResult();
        return new PostgresDatabase(local.ConnectionString, local);
    }
}

/// <summary>Starts the database first and stops a private one last (hosted services stop in reverse order).</summary>
public sealed class PostgresLifetime(PostgresDatabase database) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StopAsync(CancellationToken cancellationToken) => database.Local?.StopAsync() ?? Task.CompletedTask;
}
