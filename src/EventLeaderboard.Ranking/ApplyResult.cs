namespace EventLeaderboard.Ranking;

/// <summary>What one submission did to a board.</summary>
/// <param name="Score">The player's score right after the apply.</param>
/// <param name="Rank">1-based rank right after the apply.</param>
/// <param name="PreviousRank">1-based rank just before the apply; null when the player was not on the board.</param>
/// <param name="PreviousScore">Score just before the apply; null when the player was not on the board.</param>
/// <param name="Changed">True when the entry was created or its score changed.</param>
/// <param name="Created">True when the player was not on the board before.</param>
public readonly record struct ApplyResult(long Score, long Rank, long? PreviousRank, long? PreviousScore, bool Changed, bool Created);
