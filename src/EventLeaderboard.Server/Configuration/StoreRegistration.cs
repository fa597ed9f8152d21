using EventLeaderboard.Server.Events;
using JasperFx;
using JasperFx.Events;
using Marten;
using Microsoft.Extensions.Options;
using Npgsql;
using Weasel.Core;

namespace EventLeaderboard.Server.Configuration;

public static class StoreRegistration
{
    /// <summary>The database, the Marten event store on it, and the Npgsql data source both share.</summary>
    public static IServiceCollection AddEventStore(this IServiceCollection services)
    {
        services.AddSingleton(sp => PostgresDatabase.Open(
            sp.GetRequiredService<IConfiguration>(), sp.GetRequiredService<IOptions<StorageOptions>>(), sp.GetRequiredService<ILogger<PostgresDatabase>>()));
        services.AddHostedService<PostgresLifetime>();
        services.AddSingleton(sp => NpgsqlDataSource.Create(sp.GetRequiredService<PostgresDatabase>().ConnectionString));

        services.AddMarten(sp =>
        {
            var opts = new StoreOptions();
            opts.Connection(sp.GetRequiredService<NpgsqlDataSource>());
            opts.DatabaseSchemaName = sp.GetRequiredService<IOptions<StorageOptions>>().Value.Schema;
            // Development creates and updates the schema (SchemaGuard applies it at start-up);
            // production changes nothing and only checks it against migrations/.
            var storage = sp.GetRequiredService<IOptions<StorageOptions>>().Value;
            opts.AutoCreateSchemaObjects = storage.ApplyMigrationsOnStartup ? AutoCreate.CreateOrUpdate : AutoCreate.None;
            opts.Events.StreamIdentity = StreamIdentity.AsString;
            // Quick append: no per-event version check round trip; appends are serialized by our advisory lock anyway.
            opts.Events.AppendMode = EventAppendMode.QuickWithServerTimestamps;
            // The log follower parses mt_events.data with System.Text.Json and EventJsonContext: same names, same casing.
            opts.UseSystemTextJsonForSerialization(EnumStorage.AsString, Casing.CamelCase);
            opts.Events.MapEventType<ScoresSubmitted>(EventTypeNames.ScoresSubmitted);
            opts.Events.MapEventType<PlayerRemoved>(EventTypeNames.PlayerRemoved);
            opts.Events.MapEventType<BoardDefined>(EventTypeNames.BoardDefined);
            opts.Events.MapEventType<BoardUpdated>(EventTypeNames.BoardUpdated);
            return opts;
        });
        return services;
    }
}
