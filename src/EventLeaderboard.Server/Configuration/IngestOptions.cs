namespace EventLeaderboard.Server.Configuration;

/// <summary>Group-commit and idempotency settings (section <c>Ingest</c>).</summary>
public sealed class IngestOptions
{
    /// <summary>Most scores one transaction carries; more wait for the next commit.</summary>
    public int MaxBatchScores { get; set; } = 4096;

    /// <summary>
    /// How long a committer that holds the append lock keeps collecting before it appends. The
    /// default 0 takes what has arrived (natural batching: the group is whatever queued during the
    /// previous commit); measured here, any wait only added latency.
    /// </summary>
    public double MaxBatchDelayMs { get; set; }

    /// <summary>
    /// Transactions one node may have in flight. Appends are serialized by the advisory lock
    /// anyway; a second transaction takes the lock (round trip and wait) while the first one waits
    /// for its fsync, and collects its group only once it holds the lock.
    /// </summary>
    public int MaxConcurrentCommits { get; set; } = 1;

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
