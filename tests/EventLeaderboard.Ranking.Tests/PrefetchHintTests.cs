namespace EventLeaderboard.Ranking.Tests;

/// <summary>
/// <see cref="RankingBoard.PrefetchForApply"/> is only a hint: a writer that hints ahead of every
/// apply (including ids that are absent, invalid, or about to move) ends with the same board, the
/// same results and a valid structure as one that never hints, across index growth and leaf splits.
/// </summary>
public sealed class PrefetchHintTests
{
    [Fact]
    public void hinting_ahead_of_every_apply_changes_no_result_and_no_entry()
    {
        var random = new Random(17);
        var submissions = Enumerable.Range(0, 20_000)
            .Select(i => (Player: $"p{random.Next(5_000)}", Value: (long)random.Next(1_000_000), Tie: (long)i))
            .ToArray();
        var plain = new RankingBoard(SortOrder.Descending, UpdatePolicy.Latest);
        var hinted = new RankingBoard(SortOrder.Descending, UpdatePolicy.Latest);

        for (int i = 0; i < submissions.Length; i++)
        {
            if (i + 8 < submissions.Length) hinted.PrefetchForApply(submissions[i + 8].Player, deep: false);
            if (i + 4 < submissions.Length) hinted.PrefetchForApply(submissions[i + 4].Player, deep: true);
            hinted.PrefetchForApply("absent-player", deep: true);
            hinted.PrefetchForApply("", deep: false);
            var (player, value, tie) = submissions[i];
            Assert.Equal(plain.Apply(player, value, tie), hinted.Apply(player, value, tie));
        }

        hinted.ValidateInvariants();
        Assert.Equal(plain.ComputeContentChecksum(), hinted.ComputeContentChecksum());
    }
}
