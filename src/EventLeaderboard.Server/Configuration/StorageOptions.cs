namespace EventLeaderboard.Server.Configuration;

/// <summary>Where the data lives when no <c>ConnectionStrings:Postgres</c> is configured (section <c>Storage</c>).</summary>
public sealed class StorageOptions
{
    /// <summary>Data folder of the private PostgreSQL, relative to the current directory.</summary>
    public string LocalDataDirectory { get; set; } = ".data/postgres";

    /// <summary>Fixed port for the private PostgreSQL; 0 lets it pick (and remember) one.</summary>
    public int LocalPort { get; set; }

    /// <summary>Database schema of the Marten event store.</summary>
    public string Schema { get; set; } = "leaderboard";
}
