using System.Text;

namespace EventLeaderboard.Ranking.Tests;

/// <summary>
/// Leaves name players by their slot in the id index, so whenever the index changes shape (growth, a
/// removal that shifts a cluster back) the tree's items are renamed. These tests change the shape a lot
/// and check that every player is still found with the right rank, score and metadata.
/// </summary>
public class IdIndexReshaping
{
    [Fact]
    public void players_keep_their_rank_score_and_metadata_while_the_id_index_grows()
    {
        var board = new RankingBoard(SortOrder.Descending, UpdatePolicy.Best);
        const int players = 20_000; // the index starts at 16 slots: about eleven doublings
        for (int i = 0; i < players; i++)
        {
            board.Apply($"p{i}", Score(i), i + 1L, i % 7 == 0 ? Encoding.UTF8.GetBytes($"{{\"n\":{i}}}") : default);
        }
        board.ValidateInvariants();
        long[] order = Enumerable.Range(0, players).Select(i => (long)i).OrderByDescending(i => Score((int)i)).ThenBy(i => i).ToArray();
        for (int rank = 1; rank <= players; rank++)
        {
            int i = (int)order[rank - 1];
            Assert.True(board.TryGet($"p{i}", out RankedEntry entry));
            Assert.Equal((Score(i), (long)rank), (entry.Score, entry.Rank));
            Assert.Equal(i % 7 == 0 ? $"{{\"n\":{i}}}" : "", Encoding.UTF8.GetString(entry.Metadata.Span));
        }
    }

    [Fact]
    public void removing_half_the_players_in_random_order_leaves_the_rest_findable_with_the_right_ranks()
    {
        var board = new RankingBoard(SortOrder.Ascending, UpdatePolicy.Latest);
        var model = new NaiveBoard(SortOrder.Ascending, UpdatePolicy.Latest);
        const int players = 6_000;
        for (int i = 0; i < players; i++)
        {
            byte[] metadata = Encoding.UTF8.GetBytes($"m{i}");
            board.Apply($"player:{i}", Score(i), i + 1L, metadata);
            model.Apply($"player:{i}", Score(i), i + 1L, metadata);
        }
        var random = new Random(7);
        int[] leaving = Enumerable.Range(0, players).OrderBy(_ => random.Next()).Take(players / 2).ToArray();
        for (int k = 0; k < leaving.Length; k++)
        {
            Assert.True(board.Remove($"player:{leaving[k]}", out long previousRank));
            Assert.Equal(model.Remove($"player:{leaving[k]}")!.Value, previousRank);
            if (k % 500 == 0) board.ValidateInvariants();
        }
        BoardAssertions.SameAsModel(board, model);
        for (int rank = 1; rank <= model.Count; rank++)
        {
            NaiveBoard.Row row = model.Rows[rank - 1];
            Assert.True(board.TryGet(row.Id, out RankedEntry entry));
            BoardAssertions.Matches(row, rank, entry);
        }
        Assert.All(leaving, i => Assert.False(board.TryGet($"player:{i}", out _)));
    }

    [Fact]
    public void a_player_who_leaves_and_returns_without_metadata_has_none()
    {
        var board = new RankingBoard(SortOrder.Descending, UpdatePolicy.Latest);
        board.Apply("returning", 10, 1, Encoding.UTF8.GetBytes("{\"old\":true}"));
        Assert.True(board.Remove("returning", out _));
        board.Apply("returning", 20, 2);
        Assert.True(board.TryGet("returning", out RankedEntry entry));
        Assert.True(entry.Metadata.IsEmpty);
        board.ValidateInvariants();
    }

    [Fact]
    public void the_top_page_names_the_new_leaders_after_the_old_ones_leave()
    {
        var board = new RankingBoard(SortOrder.Descending, UpdatePolicy.Best);
        for (int i = 0; i < 300; i++) board.Apply($"old{i}", 1_000 + i, i + 1L);
        Assert.Equal("old299", board.GetTop(0, 10)[0].PlayerId); // the top ids are now cached
        for (int i = 0; i < 300; i++) Assert.True(board.Remove($"old{i}", out _));
        for (int i = 0; i < 300; i++) board.Apply($"new{i}", 5_000 - i, 1_000 + i);
        IReadOnlyList<RankedEntry> top = board.GetTop(0, 300);
        Assert.Equal(Enumerable.Range(0, 300).Select(i => $"new{i}"), top.Select(e => e.PlayerId));
        Assert.Equal(Enumerable.Range(1, 300).Select(r => (long)r), top.Select(e => e.Rank));
    }

    // Spread out, with repeats (i and i + 1000 share a score), so ties are exercised too.
    private static long Score(int i) => (i % 1000) * 7919L % 1000;
}
