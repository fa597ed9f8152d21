namespace EventLeaderboard.Ranking;

/// <summary>
/// A board as it was at one moment (<see cref="RankingBoard.Freeze"/>), kept only to write its snapshot.
/// Read-only by construction: it shares the live board's id bytes, so it must never take a write.
/// </summary>
public sealed class FrozenRanking
{
    private readonly RankingBoard _copy;

    internal FrozenRanking(RankingBoard copy) => _copy = copy;

    /// <summary>Players on the board when it was frozen.</summary>
    public int Count => _copy.Count;

    /// <summary>Writes the snapshot of the frozen state (the format of <see cref="RankingBoard.WriteSnapshot"/>); any thread.</summary>
    public void WriteSnapshot(Stream destination) => _copy.WriteSnapshot(destination);

    /// <summary>Checks the copy's structure. Tests only.</summary>
    internal void ValidateInvariants() => _copy.ValidateInvariants();
}
