namespace EventLeaderboard.Server.Observability;

/// <summary>What <see cref="MetricsSampler"/> last read from PostgreSQL; replaced as a whole, never mutated.</summary>
/// <param name="HeadSequence">Highest seq_id committed to the log (any node).</param>
/// <param name="SnapshotTakenAt">Newest snapshot per board.</param>
/// <param name="GroupLag">Per consumer group: log events with messages not yet taken by the group.</param>
public sealed record DatabaseSample(
    long HeadSequence,
    IReadOnlyDictionary<string, DateTimeOffset> SnapshotTakenAt,
    IReadOnlyDictionary<string, long> GroupLag)
{
    public static readonly DatabaseSample Empty = new(0, new Dictionary<string, DateTimeOffset>(), new Dictionary<string, long>());
}
