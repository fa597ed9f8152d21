namespace EventLeaderboard.Server.Audit;

/// <summary>Audit and replay settings (section <c>Audit</c>).</summary>
public sealed class AuditOptions
{
    /// <summary>
    /// Players the asOf cache may hold across all cached boards (~60 bytes each in memory): boards
    /// built for past instants are kept, least recently used evicted first, until this is reached.
    /// </summary>
    public long AsOfCachePlayers { get; set; } = 5_000_000;
}
