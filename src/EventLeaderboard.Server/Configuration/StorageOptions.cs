namespace EventLeaderboard.Server.Configuration;

/// <summary>Where the data lives when no <c>ConnectionStrings:Postgres</c> is configured (section <c>Storage</c>).</summary>
public sealed class StorageOptions
{
    /// <summary>Data folder of the private PostgreSQL, relative to the current directory.</summary>
    public string LocalDataDirectory { get; set; } = ".data/postgres";

    /// <summary>Fixed port for the private PostgreSQL; 0 lets it pick (and remember) one.</summary>
    public int LocalPort { get; set; }

    /// <summary>
    /// True (development): the node creates and updates the schema itself. False (production): it
    /// never changes the schema and refuses to start when the database lacks a migration of
    /// <c>migrations/</c> (apply them with the <c>migrate</c> command).
    /// </summary>
    public bool ApplyMigrationsOnStartup { get; set; } = true;

    /// <summary>Database schema of the Marten event store.</summary>
    public string Schema { get; set; } = "leaderboard";
}
