namespace EventLeaderboard.Ranking;

/// <summary>How scores are ordered on a board.</summary>
/// <remarks>Persisted (snapshots, events): values are explicit and append-only; never renumber.</remarks>
public enum SortOrder : byte
{
    /// <summary>Higher score ranks first.</summary>
    Descending = 0,

    /// <summary>Lower score ranks first (e.g. fastest time).</summary>
    Ascending = 1,
}
