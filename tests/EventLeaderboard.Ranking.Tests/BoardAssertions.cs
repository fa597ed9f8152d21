namespace EventLeaderboard.Ranking.Tests;

/// <summary>Whole-board comparisons between the engine and the model.</summary>
internal static class BoardAssertions
{
    public static void SameAsModel(RankingBoard board, NaiveBoard model)
    {
        board.ValidateInvariants();
        Assert.Equal(model.Count, board.Count);
        var actual = board.EnumerateInRankOrder().ToList();
        Assert.Equal(model.Count, actual.Count);
        for (int i = 0; i < actual.Count; i++)
        {
            NaiveBoard.Row expected = model.Rows[i];
            RankedEntry e = actual[i];
            Assert.Equal(expected.Id, e.PlayerId);
            Assert.Equal(expected.Score, e.Score);
            Assert.Equal(expected.Tie, e.TiePosition);
            Assert.Equal(i + 1L, e.Rank);
            Assert.Equal(expected.Metadata, e.Metadata.ToArray());
        }
    }

    public static void Matches(NaiveBoard.Row expected, long expectedRank, RankedEntry actual)
    {
        Assert.Equal(expected.Id, actual.PlayerId);
        Assert.Equal(expected.Score, actual.Score);
        Assert.Equal(expected.Tie, actual.TiePosition);
        Assert.Equal(expectedRank, actual.Rank);
        Assert.Equal(expected.Metadata, actual.Metadata.ToArray());
    }
}
