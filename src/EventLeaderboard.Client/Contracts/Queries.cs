using System.Text.Json.Nodes;

namespace EventLeaderboard.Client.Contracts;

/// <summary>
/// Consistency and time-travel options every read accepts.
/// </summary>
public sealed record ReadOptions
{
    /// <summary>
    /// The answer must reflect at least all events up to this global sequence (inclusive). The server waits
    /// up to <see cref="WaitMs"/> and answers 503 with Retry-After if it has not caught up.
    /// </summary>
    public long? MinSequence { get; init; }

    /// <summary>How long the server may wait for <see cref="MinSequence"/> (server default 2000 ms).</summary>
    public int? WaitMs { get; init; }

    /// <summary>
    /// Standings exactly as they were at this instant, computed from the events. Supported on top,
    /// player and around queries.
    /// </summary>
    public DateTimeOffset? AsOf { get; init; }
}

/// <summary>One ranked player.</summary>
/// <param name="Rank">1-based, unique (ordinal): 1 + number of players ahead; ties go to who reached the score first.</param>
public sealed record LeaderboardEntry(long Rank, string PlayerId, long Score)
{
    /// <summary>The entry's metadata, when it has any.</summary>
    public JsonObject? Metadata { get; init; }
}

/// <summary>Answer of <c>GET .../top</c>.</summary>
/// <param name="Total">Number of players on the board.</param>
public sealed record TopPage(string BoardId, long Total, long Sequence, IReadOnlyList<LeaderboardEntry> Entries);

/// <summary>Answer of <c>GET .../players/{playerId}</c>.</summary>
/// <param name="Rank">1-based rank.</param>
/// <param name="TopPercent">100 * rank / total (so the leader of 200 players is in the top 0.5%).</param>
public sealed record PlayerStanding(string PlayerId, long Score, long Rank, long Total, double TopPercent, long Sequence)
{
    /// <summary>The entry's metadata, when it has any.</summary>
    public JsonObject? Metadata { get; init; }
}

/// <summary>
/// A contiguous slice of a board: the answer of <c>around</c> (the player included, clipped at the ends of
/// the board, not shifted) and of <c>range</c> (where <see cref="Total"/> counts the players in the range).
/// </summary>
public sealed record EntryWindow(long Total, long Sequence, IReadOnlyList<LeaderboardEntry> Entries);

/// <summary>Body of <c>POST .../players/lookup</c>: 1-1000 player ids.</summary>
public sealed record PlayerLookup(IReadOnlyList<string> PlayerIds);

/// <summary>Answer of a lookup: the known players in rank order, and the ids not on the board.</summary>
public sealed record PlayerLookupResult(long Sequence, IReadOnlyList<LeaderboardEntry> Entries, IReadOnlyList<string> Missing);
