namespace EventLeaderboard.Server.Configuration;

/// <summary>Group-commit and idempotency settings (section <c>Ingest</c>).</summary>
public sealed class IngestOptions
{
    /// <summary>Most scores one transaction carries; more wait for the next commit.</summary>
    public int MaxBatchScores { get; set; } = 4096;

    /// <summary>
    /// How long the writer keeps collecting after the first waiting submission before it commits.
    /// 0 commits whatever has arrived as soon as the previous commit is done (natural batching).
    /// </summary>
    public double MaxBatchDelayMs { get; set; } = 1;

    /// <summary>
    /// Transactions one node may have in flight. Appends are serialized by the advisory lock
    /// anyway; a second transaction overlaps its preparation and round trips with the first one's fsync.
    /// </summary>
    public int MaxConcurrentCommits { get; set; } = 2;

    /// <summary>Submissions that may wait for the writer before callers are held back (backpressure).</summary>
    public int QueueCapacity { get; set; } = 100_000;

    /// <summary>
    /// Submission ids remembered per board (oldest forgotten first), like Stripe's idempotency
    /// window: a retry older than this many later submissions on the same board is a new submission.
    /// </summary>
    public int IdempotencyWindow { get; set; } = 1_000_000;

    /// <summary>How often the log follower polls when no notification arrives.</summary>
    public int PollIntervalMs { get; set; } = 250;

    /// <summary>Events the follower reads per query.</summary>
    public int ReadPageSize { get; set; } = 500;

    /// <summary>Seconds suggested in Retry-After when a commit fails or a read cannot wait long enough.</summary>
    public int RetryAfterSeconds { get; set; } = 1;
}
