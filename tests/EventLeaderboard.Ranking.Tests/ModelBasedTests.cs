using System.Text;

namespace EventLeaderboard.Ranking.Tests;

/// <summary>
/// Seeded random operations (every policy x both orders, many ties, removals, metadata, re-entry after
/// removal) checked after each step against <see cref="NaiveBoard"/>, with the whole-structure invariant check.
/// </summary>
public class ModelBasedTests
{
    public static TheoryData<SortOrder, UpdatePolicy, int> Boards()
    {
        var data = new TheoryData<SortOrder, UpdatePolicy, int>();
        foreach (SortOrder order in Enum.GetValues<SortOrder>())
        foreach (UpdatePolicy policy in Enum.GetValues<UpdatePolicy>())
        foreach (int seed in new[] { 1, 2 })
            data.Add(order, policy, seed);
        return data;
    }

    [Theory]
    [MemberData(nameof(Boards))]
    public void a_small_board_agrees_with_the_model_after_every_operation(SortOrder order, UpdatePolicy policy, int seed)
    {
        // 150 ids and a score domain of 12 values: constant ties, splits and merges of a few leaves.
        Run(order, policy, seed, steps: 3000, idPool: 150, scoreDomain: 12, fullCheckEvery: 1);
    }

    [Theory]
    [MemberData(nameof(Boards))]
    public void a_multi_level_board_agrees_with_the_model(SortOrder order, UpdatePolicy policy, int seed)
    {
        // 6000 ids: a tree of height 2, so inner splits, drops and root collapses happen.
        int height = Run(order, policy, seed, steps: 12000, idPool: 6000, scoreDomain: 400, fullCheckEvery: 2000);
        Assert.True(height >= 2, $"the run should grow the tree to height 2, reached {height}");
    }

    /// <summary>Runs the seeded script; returns the greatest tree height reached.</summary>
    private static int Run(SortOrder order, UpdatePolicy policy, int seed, int steps, int idPool, int scoreDomain, int fullCheckEvery)
    {
        var random = new Random(seed * 7919 + (int)order * 31 + (int)policy);
        var board = new RankingBoard(order, policy);
        var model = new NaiveBoard(order, policy);
        long tie = 0;
        int maxHeight = 0;
        for (int step = 0; step < steps; step++)
        {
            string id = IdFor(random.Next(idPool));
            // Alternate growing and shrinking phases so that leaves underflow, merge and disappear.
            bool shrinking = (step / 1500) % 3 == 2;
            int op = random.Next(100);
            if (shrinking && op < 60) op = 75;
            if (op < 70)
            {
                long value = policy == UpdatePolicy.Increment ? random.Next(-scoreDomain / 4, scoreDomain) : random.Next(scoreDomain) - scoreDomain / 3;
                byte[] metadata = random.Next(5) == 0 ? Encoding.UTF8.GetBytes($"{{\"s\":{step}}}") : [];
                // Mostly increasing positions (as the log gives), sometimes repeated (the id decides) or
                // older than the newest (the engine must order any position correctly).
                tie += random.Next(3) == 0 ? 0 : 1;
                long position = random.Next(5) == 0 ? random.NextInt64(0, tie + 1) : tie;
                ApplyResult expected = model.Apply(id, value, position, metadata);
                ApplyResult actual = board.Apply(id, value, position, metadata);
                Assert.Equal(expected, actual);
            }
            else if (op < 80)
            {
                long? expectedRank = model.Remove(id);
                bool removed = board.Remove(id, out long previousRank);
                Assert.Equal(expectedRank.HasValue, removed);
                if (removed) Assert.Equal(expectedRank!.Value, previousRank);
            }
            else
            {
                CheckQueries(board, model, random, scoreDomain, idPool);
            }

            if (step % fullCheckEvery == 0 || step == steps - 1) BoardAssertions.SameAsModel(board, model);
            maxHeight = Math.Max(maxHeight, board.TreeHeight);
        }
        return maxHeight;
    }

    private static void CheckQueries(RankingBoard board, NaiveBoard model, Random random, int scoreDomain, int idPool)
    {
        IReadOnlyList<NaiveBoard.Row> rows = model.Rows;
        string id = IdFor(random.Next(idPool));
        int index = model.IndexOf(id);

        Assert.Equal(index >= 0, board.TryGet(id, out RankedEntry entry));
        if (index >= 0) BoardAssertions.Matches(rows[index], index + 1, entry);

        int offset = random.Next(rows.Count + 3);
        int limit = random.Next(0, 80);
        var top = board.GetTop(offset, limit);
        int expectedTop = Math.Max(0, Math.Min(limit, rows.Count - offset));
        Assert.Equal(expectedTop, top.Count);
        for (int i = 0; i < top.Count; i++) BoardAssertions.Matches(rows[offset + i], offset + i + 1, top[i]);

        int above = random.Next(0, 70), below = random.Next(0, 70);
        Assert.Equal(index >= 0, board.TryGetAround(id, above, below, out var around));
        if (index >= 0)
        {
            int first = Math.Max(0, index - above);
            int last = Math.Min(rows.Count - 1, index + below);
            Assert.Equal(last - first + 1, around.Count);
            for (int i = 0; i < around.Count; i++) BoardAssertions.Matches(rows[first + i], first + i + 1, around[i]);
        }

        long min = random.Next(-scoreDomain, 2 * scoreDomain);
        long max = random.Next(4) == 0 ? min : min + random.Next(-5, scoreDomain);
        var inRange = rows.Select((r, i) => (Row: r, Rank: i + 1L)).Where(x => x.Row.Score >= min && x.Row.Score <= max).ToList();
        Assert.Equal(inRange.Count, board.CountInScoreRange(min, max));
        int rangeOffset = random.Next(inRange.Count + 2);
        int rangeLimit = random.Next(0, 50);
        var range = board.GetByScoreRange(min, max, rangeOffset, rangeLimit, out long total);
        Assert.Equal(inRange.Count, total);
        var expectedRange = inRange.Skip(rangeOffset).Take(rangeLimit).ToList();
        Assert.Equal(expectedRange.Count, range.Count);
        for (int i = 0; i < range.Count; i++) BoardAssertions.Matches(expectedRange[i].Row, expectedRange[i].Rank, range[i]);

        var ids = Enumerable.Range(0, random.Next(0, 12)).Select(_ => IdFor(random.Next(idPool))).ToList();
        var found = board.Lookup(ids, out var missing);
        var expectedFound = ids.Distinct().Select(x => (Id: x, Index: model.IndexOf(x))).Where(x => x.Index >= 0).OrderBy(x => x.Index).ToList();
        Assert.Equal(expectedFound.Count, found.Count);
        for (int i = 0; i < found.Count; i++) BoardAssertions.Matches(rows[expectedFound[i].Index], expectedFound[i].Index + 1, found[i]);
        Assert.Equal(ids.Distinct().Where(x => model.IndexOf(x) < 0).ToList(), missing);
    }

    private static string IdFor(int n) => n % 7 == 0 ? $"jö-{n}" : $"player:{n:D7}";
}
