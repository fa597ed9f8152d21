namespace EventLeaderboard.Ranking;

/// <summary>One ranked entry of a board.</summary>
/// <param name="PlayerId">The player's id.</param>
/// <param name="Score">The player's current score.</param>
/// <param name="Rank">1-based ordinal rank (no shared ranks: ties are broken by <paramref name="TiePosition"/>).</param>
/// <param name="TiePosition">Global log position of the event that last changed the score; lower ranks higher among equal scores.</param>
/// <param name="Metadata">UTF-8 JSON bytes (at most 1 KiB); empty when the player has none.</param>
public readonly record struct RankedEntry(string PlayerId, long Score, long Rank, long TiePosition, ReadOnlyMemory<byte> Metadata);
