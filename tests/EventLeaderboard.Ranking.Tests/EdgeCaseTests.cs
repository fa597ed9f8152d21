using System.Text;

namespace EventLeaderboard.Ranking.Tests;

public class EmptyAndTinyBoards
{
    [Fact]
    public void an_empty_board_answers_every_query_with_nothing()
    {
        var board = new RankingBoard(SortOrder.Descending, UpdatePolicy.Best);
        Assert.Equal(0, board.Count);
        Assert.False(board.TryGet("player:1", out _));
        Assert.Empty(board.GetTop(0, 10));
        Assert.False(board.TryGetAround("player:1", 5, 5, out var around));
        Assert.Empty(around);
        Assert.Empty(board.GetByScoreRange(long.MinValue, long.MaxValue, 0, 10, out long total));
        Assert.Equal(0, total);
        Assert.Equal(0, board.CountInScoreRange(long.MinValue, long.MaxValue));
        Assert.Empty(board.Lookup(["a", "b"], out var missing));
        Assert.Equal(["a", "b"], missing);
        Assert.False(board.Remove("player:1", out _));
        Assert.Empty(board.EnumerateInRankOrder());
        Assert.Equal(new RankingBoard(SortOrder.Ascending, UpdatePolicy.Latest).ComputeContentChecksum(), board.ComputeContentChecksum());
        board.ValidateInvariants();
    }

    [Fact]
    public void a_single_player_is_first_and_alone_in_every_window()
    {
        var board = new RankingBoard(SortOrder.Descending, UpdatePolicy.Best);
        ApplyResult result = board.Apply("solo", 42, 1);
        Assert.Equal(new ApplyResult(42, 1, null, null, Changed: true, Created: true), result);
        Assert.True(board.TryGetAround("solo", 500, 500, out var around));
        Assert.Equal([new RankedEntry("solo", 42, 1, 1, ReadOnlyMemory<byte>.Empty)], around.Select(Plain));
        Assert.Single(board.GetTop(0, 100));
        Assert.Empty(board.GetTop(1, 100));
    }

    [Fact]
    public void the_last_player_leaving_empties_the_board_and_it_can_fill_again()
    {
        var board = new RankingBoard(SortOrder.Ascending, UpdatePolicy.Latest);
        board.Apply("a", 1, 1);
        Assert.True(board.Remove("a", out long previousRank));
        Assert.Equal(1, previousRank);
        Assert.Equal(0, board.Count);
        board.ValidateInvariants();
        Assert.True(board.Apply("a", 5, 2).Created);
        Assert.True(board.TryGet("a", out var entry));
        Assert.Equal((5L, 1L, 2L), (entry.Score, entry.Rank, entry.TiePosition));
    }

    internal static RankedEntry Plain(RankedEntry e) => e with { Metadata = ReadOnlyMemory<byte>.Empty };
}

public class Ties
{
    [Fact]
    public void with_all_scores_equal_the_player_who_reached_the_score_first_ranks_higher()
    {
        var board = new RankingBoard(SortOrder.Descending, UpdatePolicy.Latest);
        for (int i = 0; i < 500; i++) board.Apply($"p{i}", 7, 1000 - i); // later ids reached 7 earlier
        var top = board.GetTop(0, 500);
        Assert.Equal(Enumerable.Range(0, 500).Select(i => $"p{499 - i}"), top.Select(e => e.PlayerId));
        Assert.Equal(500, board.CountInScoreRange(7, 7));
        board.ValidateInvariants();
    }

    [Fact]
    public void resubmitting_the_same_score_keeps_the_original_tie_position()
    {
        var board = new RankingBoard(SortOrder.Descending, UpdatePolicy.Latest);
        board.Apply("first", 10, 1);
        board.Apply("second", 10, 2);
        ApplyResult again = board.Apply("first", 10, 3);
        Assert.False(again.Changed);
        Assert.Equal(1, again.Rank);
        Assert.True(board.TryGet("first", out var entry));
        Assert.Equal(1, entry.TiePosition);
    }

    [Fact]
    public void equal_tie_positions_are_ordered_by_player_id_bytes()
    {
        var board = new RankingBoard(SortOrder.Ascending, UpdatePolicy.Latest);
        board.Apply("b", 1, 5);
        board.Apply("a", 1, 5);
        board.Apply("é", 1, 5); // UTF-8 0xC3 0xA9 sorts after ASCII
        Assert.Equal(["a", "b", "é"], board.GetTop(0, 3).Select(e => e.PlayerId));
    }
}

public class ExtremeScores
{
    [Theory]
    [InlineData(SortOrder.Descending)]
    [InlineData(SortOrder.Ascending)]
    public void long_min_and_max_scores_rank_at_the_ends_and_count_in_inclusive_ranges(SortOrder order)
    {
        var board = new RankingBoard(order, UpdatePolicy.Latest);
        board.Apply("min", long.MinValue, 1);
        board.Apply("max", long.MaxValue, 2);
        board.Apply("zero", 0, 3);
        string[] expected = order == SortOrder.Descending ? ["max", "zero", "min"] : ["min", "zero", "max"];
        Assert.Equal(expected, board.GetTop(0, 3).Select(e => e.PlayerId));
        Assert.Equal(3, board.CountInScoreRange(long.MinValue, long.MaxValue));
        Assert.Equal(1, board.CountInScoreRange(long.MaxValue, long.MaxValue));
        Assert.Equal(1, board.CountInScoreRange(long.MinValue, long.MinValue));
        Assert.Equal(2, board.CountInScoreRange(long.MinValue, 0));
        Assert.Equal(0, board.CountInScoreRange(1, 0));
        var range = board.GetByScoreRange(0, long.MaxValue, 0, 10, out long total);
        Assert.Equal(2, total);
        Assert.Equal(order == SortOrder.Descending ? ["max", "zero"] : ["zero", "max"], range.Select(e => e.PlayerId));
        board.ValidateInvariants();
    }

    [Fact]
    public void an_increment_that_overflows_is_refused_and_changes_nothing()
    {
        var board = new RankingBoard(SortOrder.Descending, UpdatePolicy.Increment);
        board.Apply("rich", long.MaxValue - 1, 1);
        board.Apply("poor", long.MinValue + 1, 2);
        ulong before = board.ComputeContentChecksum();

        var up = Assert.Throws<ScoreOverflowException>(() => board.Apply("rich", 2, 3));
        Assert.Equal(long.MaxValue - 1, up.CurrentScore);
        Assert.Throws<ScoreOverflowException>(() => board.Apply("poor", -2, 4));

        Assert.Equal(before, board.ComputeContentChecksum());
        Assert.Equal(long.MaxValue, board.Apply("rich", 1, 5).Score); // exactly reaching the limit is fine
        board.ValidateInvariants();
    }
}

public class Windows
{
    private static RankingBoard Board(int players)
    {
        var board = new RankingBoard(SortOrder.Descending, UpdatePolicy.Best);
        for (int i = 0; i < players; i++) board.Apply($"p{i:D4}", i, i + 1); // p{n-1} is first
        return board;
    }

    [Fact]
    public void offsets_past_the_end_give_empty_pages_and_keep_the_total()
    {
        var board = Board(300);
        Assert.Empty(board.GetTop(300, 10));
        Assert.Empty(board.GetTop(long.MaxValue, 10));
        Assert.Equal(5, board.GetTop(295, 10).Count);
        Assert.Empty(board.GetByScoreRange(0, 99, 100, 10, out long total));
        Assert.Equal(100, total);
        Assert.Equal(Enumerable.Range(0, 10).Select(i => 89L - i), board.GetByScoreRange(0, 99, 10, 10, out _).Select(e => e.Score));
    }

    [Fact]
    public void around_a_player_is_clipped_at_the_ends_not_shifted()
    {
        var board = Board(300);
        Assert.True(board.TryGetAround("p0298", 10, 3, out var nearTop)); // rank 2
        Assert.Equal([1L, 2, 3, 4, 5], nearTop.Select(e => e.Rank));
        Assert.True(board.TryGetAround("p0001", 2, 10, out var nearBottom)); // rank 299
        Assert.Equal([297L, 298, 299, 300], nearBottom.Select(e => e.Rank));
    }

    [Fact]
    public void a_lookup_returns_known_players_in_rank_order_and_the_rest_once_in_input_order()
    {
        var board = Board(50);
        var found = board.Lookup(["p0003", "ghost", "p0040", "p0003", "ghost", "other"], out var missing);
        Assert.Equal(["p0040", "p0003"], found.Select(e => e.PlayerId));
        Assert.Equal([10L, 47L], found.Select(e => e.Rank));
        Assert.Equal(["ghost", "other"], missing);
    }
}

public class UpdatePolicies
{
    [Fact]
    public void best_keeps_the_better_score_for_the_board_order()
    {
        var high = new RankingBoard(SortOrder.Descending, UpdatePolicy.Best);
        high.Apply("a", 10, 1);
        Assert.False(high.Apply("a", 5, 2).Changed);
        Assert.Equal(new ApplyResult(12, 1, 1, 10, true, false), high.Apply("a", 12, 3));

        var low = new RankingBoard(SortOrder.Ascending, UpdatePolicy.Best);
        low.Apply("a", 10, 1);
        Assert.False(low.Apply("a", 12, 2).Changed);
        Assert.Equal(5, low.Apply("a", 5, 3).Score);
    }

    [Fact]
    public void latest_replaces_even_with_a_worse_score_and_the_rank_falls()
    {
        var board = new RankingBoard(SortOrder.Descending, UpdatePolicy.Latest);
        board.Apply("a", 10, 1);
        board.Apply("b", 8, 2);
        Assert.Equal(new ApplyResult(3, 2, 1, 10, true, false), board.Apply("a", 3, 3));
    }

    [Fact]
    public void increment_starts_a_new_player_from_zero_and_accepts_negative_amounts()
    {
        var board = new RankingBoard(SortOrder.Descending, UpdatePolicy.Increment);
        Assert.Equal(5, board.Apply("a", 5, 1).Score);
        Assert.Equal(2, board.Apply("a", -3, 2).Score);
        Assert.False(board.Apply("a", 0, 3).Changed);
    }

    [Fact]
    public void when_a_player_improves_their_score_their_rank_rises()
    {
        var board = new RankingBoard(SortOrder.Descending, UpdatePolicy.Best);
        for (int i = 0; i < 200; i++) board.Apply($"p{i}", i, i + 1);
        ApplyResult result = board.Apply("p0", 1000, 201);
        Assert.Equal((200L, 1L), (result.PreviousRank!.Value, result.Rank));
    }
}

public class MetadataAndIds
{
    private static readonly byte[] Json = Encoding.UTF8.GetBytes("{\"country\":\"FR\"}");

    [Fact]
    public void metadata_is_kept_with_the_entry_and_replaced_only_by_a_change()
    {
        var board = new RankingBoard(SortOrder.Descending, UpdatePolicy.Best);
        board.Apply("a", 10, 1, Json);
        board.Apply("a", 5, 2, "{\"x\":1}"u8); // not better: no change, metadata kept
        Assert.True(board.TryGet("a", out var entry));
        Assert.Equal(Json, entry.Metadata.ToArray());
        board.Apply("a", 20, 3); // change without metadata: kept
        Assert.True(board.TryGet("a", out entry));
        Assert.Equal(Json, entry.Metadata.ToArray());
        board.Apply("a", 30, 4, "{\"x\":2}"u8);
        Assert.True(board.TryGet("a", out entry));
        Assert.Equal("{\"x\":2}"u8.ToArray(), entry.Metadata.ToArray());
    }

    [Fact]
    public void a_player_without_metadata_has_none_and_a_removed_player_loses_it()
    {
        var board = new RankingBoard(SortOrder.Descending, UpdatePolicy.Latest);
        board.Apply("plain", 1, 1);
        board.Apply("rich", 2, 2, Json);
        Assert.True(board.GetTop(0, 2)[1].Metadata.IsEmpty);
        board.Remove("rich", out _);
        board.Apply("rich", 3, 3);
        Assert.True(board.TryGet("rich", out var entry));
        Assert.True(entry.Metadata.IsEmpty);
        board.ValidateInvariants();
    }

    [Fact]
    public void metadata_over_one_kibibyte_is_rejected()
    {
        var board = new RankingBoard(SortOrder.Descending, UpdatePolicy.Latest);
        Assert.Throws<ArgumentException>(() => board.Apply("a", 1, 1, new byte[1025]));
        board.Apply("a", 1, 1, new byte[1024]);
        Assert.Equal(1, board.Count);
    }

    [Fact]
    public void an_invalid_player_id_is_rejected_by_writes_and_absent_for_reads()
    {
        // Built here, not in attributes: test-case serialization would replace the lone surrogate.
        string[] invalid = ["", "tab\there", "\ud800lone", "end\udc00"];
        var board = new RankingBoard(SortOrder.Descending, UpdatePolicy.Latest);
        foreach (string id in invalid)
        {
            Assert.Throws<ArgumentException>(() => board.Apply(id, 1, 1));
            Assert.False(board.TryGet(id, out _));
            Assert.False(board.Remove(id, out _));
        }
        Assert.Equal(0, board.Count);
    }

    [Fact]
    public void player_ids_are_limited_to_128_utf8_bytes()
    {
        var board = new RankingBoard(SortOrder.Descending, UpdatePolicy.Latest);
        board.Apply(new string('x', 128), 1, 1);
        board.Apply(new string('é', 64), 1, 2); // 128 bytes
        Assert.Throws<ArgumentException>(() => board.Apply(new string('x', 129), 1, 3));
        Assert.Throws<ArgumentException>(() => board.Apply(new string('é', 65), 1, 4));
        Assert.Equal(2, board.Count);
    }
}
