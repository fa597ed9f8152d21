namespace EventLeaderboard.Server.Ingest;

/// <summary>
/// Positions in the global log, the <c>sequence</c> of the API. A score's position is
/// <c>seq_id * 1024 + index</c>, where <c>seq_id</c> is Marten's global event sequence
/// (mt_events.seq_id) of the event that carries it and <c>index</c> its 0-based place in that
/// event. Positions grow in commit order (appends are serialized, see <see cref="GroupCommitWriter"/>)
/// and are unique, so they double as the ranking engine's tie positions. Events that carry one
/// thing (a removal, a board definition) have index 0. 1024 leaves 2^53 events of room.
/// </summary>
public static class LogPosition
{
    /// <summary>Most items one event may carry; the factor between seq_id and position.</summary>
    public const int ItemsPerEvent = 1024;

    public static long Of(long seqId, int index) => seqId * ItemsPerEvent + index;

    /// <summary>The last position an event can hold: what a node has applied once it applied that event.</summary>
    public static long EndOf(long seqId) => seqId * ItemsPerEvent + (ItemsPerEvent - 1);
}
