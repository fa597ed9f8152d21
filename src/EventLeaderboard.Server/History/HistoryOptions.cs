namespace EventLeaderboard.Server.History;

/// <summary>Section <c>History</c>: the per-player history index.</summary>
public sealed class HistoryOptions
{
    /// <summary>
    /// Whether this node takes part in maintaining the index (one node of the cluster writes it, the
    /// others stand by). Every node serves the endpoint from the index whatever this says; with it
    /// false on every node the index stops advancing and history reads answer 503.
    /// </summary>
    public bool Enabled { get; set; } = true;

    /// <summary>
    /// Rows the follower may queue for the writer. Beyond it the follower drops them (it never
    /// waits for the index) and the writer later re-derives the dropped range from the log.
    /// ~150 bytes each in memory.
    /// </summary>
    public int QueueRows { get; set; } = 500_000;

    /// <summary>
    /// How long the writer lets pages gather before a write. Every page is a transaction otherwise,
    /// and single-score ingest makes a page per group commit; history reads right after a write wait
    /// about this much longer.
    /// </summary>
    public int WriteDelayMs { get; set; } = 100;

    /// <summary>Seconds between a standby node's attempts to take the writer's lock (and the writer's idle liveness check).</summary>
    public double LockRetrySeconds { get; set; } = 3;
}
