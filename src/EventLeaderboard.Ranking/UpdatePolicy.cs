namespace EventLeaderboard.Ranking;

/// <summary>How a submission combines with a player's current score.</summary>
/// <remarks>Persisted (snapshots, events): values are explicit and append-only; never renumber.</remarks>
public enum UpdatePolicy : byte
{
    /// <summary>Keep the better of the current and the submitted score (better per the board's sort order).</summary>
    Best = 0,

    /// <summary>The submitted score replaces the current one.</summary>
    Latest = 1,

    /// <summary>The submitted value is added to the current score (a new player starts from 0); may be negative.</summary>
    Increment = 2,
}
