namespace EventLeaderboard.Client.Contracts;

/// <summary>Answer of <c>DELETE .../players/{playerId}</c>: the player left every ranking; the history stays.</summary>
public sealed record PlayerRemoval(string PlayerId, long Sequence);
