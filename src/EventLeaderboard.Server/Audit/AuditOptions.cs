namespace EventLeaderboard.Server.Audit;

/// <summary>Audit and replay settings (section <c>Audit</c>).</summary>
public sealed class AuditOptions
{
    /// <summary>
    /// Players the asOf cache may hold across all cached boards (~60 bytes each in memory): boards
    /// built for past instants are kept, least recently used evicted first, until this is reached.
    /// </summary>
    public long AsOfCachePlayers { get; set; } = 5_000_000;

    /// <summary>Boards the asOf cache may hold, however small (each also holds its idempotency window).</summary>
    public int AsOfCacheBoards { get; set; } = 64;

    /// <summary>A cached asOf board nobody asked for in this long is dropped (at the next asOf request).</summary>
    public int AsOfCacheIdleSeconds { get; set; } = 1800;

    /// <summary>
    /// An instant is final (cacheable) once it is this much older than PostgreSQL's clock: a
    /// transaction stamps its events when it starts, so a longer-running append can still add
    /// events stamped before a very recent instant.
    /// </summary>
    public int AsOfSettledSeconds { get; set; } = 60;
}
