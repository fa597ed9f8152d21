namespace EventLeaderboard.Ranking.Tests;

public class ContentChecksums
{
    [Fact]
    public void boards_with_equal_contents_have_equal_checksums_whatever_their_history()
    {
        var direct = new RankingBoard(SortOrder.Descending, UpdatePolicy.Latest);
        direct.Apply("a", 30, 3);
        direct.Apply("b", 20, 2);

        var winding = new RankingBoard(SortOrder.Descending, UpdatePolicy.Latest);
        winding.Apply("b", 20, 2);
        winding.Apply("x", 99, 1);
        winding.Apply("a", 10, 1);
        winding.Remove("x", out _);
        winding.Apply("a", 30, 3);

        Assert.Equal(direct.ComputeContentChecksum(), winding.ComputeContentChecksum());
    }

    [Fact]
    public void a_different_score_tie_position_or_id_changes_the_checksum()
    {
        static ulong Checksum(string id, long score, long tie)
        {
            var board = new RankingBoard(SortOrder.Descending, UpdatePolicy.Latest);
            board.Apply("other", 5, 1);
            board.Apply(id, score, tie);
            return board.ComputeContentChecksum();
        }

        ulong reference = Checksum("a", 10, 2);
        Assert.NotEqual(reference, Checksum("a", 11, 2));
        Assert.NotEqual(reference, Checksum("a", 10, 3));
        Assert.NotEqual(reference, Checksum("b", 10, 2));
    }
}
