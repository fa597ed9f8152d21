namespace EventLeaderboard.Server.Snapshots;

/// <summary>When boards are snapshotted and how many snapshots are kept (section <c>Snapshots</c>).</summary>
public sealed class SnapshotOptions
{
    /// <summary>Take a snapshot once the log has advanced this many events (seq_ids) past the last one; 0 disables.</summary>
    public long EveryEvents { get; set; } = 200_000;

    /// <summary>Take a snapshot this often when anything changed since the last one; 0 disables.</summary>
    public int EverySeconds { get; set; } = 600;

    /// <summary>Take one when the node stops gracefully (SIGTERM), so the next start replays little.</summary>
    public bool OnShutdown { get; set; } = true;

    /// <summary>
    /// Snapshots kept per board (newest first; older ones are deleted after each new one). Older
    /// ones only speed up <c>asOf</c> queries for older instants, which otherwise replay from the start.
    /// </summary>
    public int Retention { get; set; } = 5;

    /// <summary>Load snapshots at start-up (false forces a full replay, e.g. to rule snapshots out).</summary>
    public bool RestoreOnStart { get; set; } = true;
}
