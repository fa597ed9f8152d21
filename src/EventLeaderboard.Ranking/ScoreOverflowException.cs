namespace EventLeaderboard.Ranking;

/// <summary>
/// An <see cref="UpdatePolicy.Increment"/> submission would take the score outside the range of
/// <see cref="long"/>. The board is left unchanged.
/// </summary>
public sealed class ScoreOverflowException : InvalidOperationException
{
    /// <summary>Creates the exception for a player whose score cannot absorb the increment.</summary>
    public ScoreOverflowException(string playerId, long currentScore, long increment)
        : base($"Incrementing the score of '{playerId}' ({currentScore}) by {increment} overflows a 64-bit score; the board is unchanged.")
    {
        PlayerId = playerId;
        CurrentScore = currentScore;
        Increment = increment;
    }

    /// <summary>The player whose increment was refused.</summary>
    public string PlayerId { get; }

    /// <summary>The score the player still has.</summary>
    public long CurrentScore { get; }

    /// <summary>The refused increment.</summary>
    public long Increment { get; }
}
