namespace EventLeaderboard.Ranking.Tests;

/// <summary>
/// Readers hammer every query kind while one writer applies seeded random updates and removals. Each
/// answer must be internally consistent (one state): consecutive ranks, board order, counts that agree.
/// </summary>
public class ReadersDuringWrites
{
    private const int Players = 5_000;
    private const int WriterOperations = 30_000;

    [Fact]
    public void readers_never_see_a_torn_state_and_never_throw()
    {
        var board = new RankingBoard(SortOrder.Descending, UpdatePolicy.Latest);
        var replica = new RankingBoard(SortOrder.Descending, UpdatePolicy.Latest); // same script, no readers
        for (int i = 0; i < Players; i++)
        {
            board.Apply($"p{i}", i % 500, i + 1);
            replica.Apply($"p{i}", i % 500, i + 1);
        }

        using var done = new CancellationTokenSource();
        var failures = new System.Collections.Concurrent.ConcurrentQueue<Exception>();
        long reads = 0;
        Thread[] readers = Enumerable.Range(0, 2).Select(r => new Thread(() =>
        {
            var random = new Random(100 + r);
            try
            {
                while (!done.IsCancellationRequested)
                {
                    ReadOnce(board, random);
                    Interlocked.Increment(ref reads);
                }
            }
            catch (Exception ex)
            {
                failures.Enqueue(ex);
            }
        })).ToArray();
        foreach (var t in readers) t.Start();

        var script = new Random(7);
        for (int op = 0; op < WriterOperations; op++)
        {
            string id = $"p{script.Next(Players + 2_000)}";
            if (script.Next(20) == 0)
            {
                board.Remove(id, out _);
                replica.Remove(id, out _);
            }
            else
            {
                long score = script.Next(0, 500);
                board.Apply(id, score, Players + op + 1);
                replica.Apply(id, score, Players + op + 1);
            }
        }
        done.Cancel();
        foreach (var t in readers) t.Join();

        Assert.Empty(failures);
        Assert.True(Interlocked.Read(ref reads) > 0);
        board.ValidateInvariants();
        Assert.Equal(replica.ComputeContentChecksum(), board.ComputeContentChecksum());
    }

    private static void ReadOnce(RankingBoard board, Random random)
    {
        string id = $"p{random.Next(Players + 2_000)}";
        switch (random.Next(6))
        {
            case 0:
                long offset = random.Next(Players);
                var top = board.GetTop(offset, random.Next(1, 200));
                CheckWindow(top, offset + 1);
                break;
            case 1:
                if (board.TryGetAround(id, random.Next(50), random.Next(50), out var around))
                {
                    CheckWindow(around, around[0].Rank);
                    Check(around.Any(e => e.PlayerId == id), "around contains the player");
                }
                break;
            case 2:
                long min = random.Next(500), max = min + random.Next(50);
                var range = board.GetByScoreRange(min, max, 0, random.Next(1, 200), out long total);
                Check(range.Count <= total, "range page fits its total");
                Check(range.All(e => e.Score >= min && e.Score <= max), "range entries are in range");
                if (range.Count > 0) CheckWindow(range, range[0].Rank);
                break;
            case 3:
                long count = board.CountInScoreRange(0, 499);
                Check(count >= 0 && count <= Players + 2_000, "count in range is plausible");
                break;
            case 4:
                if (board.TryGet(id, out var entry)) Check(entry.Rank >= 1 && entry.PlayerId == id, "rank is 1-based");
                break;
            default:
                var found = board.Lookup([id, $"p{random.Next(Players)}", $"p{random.Next(Players)}"], out _);
                for (int i = 1; i < found.Count; i++) Check(found[i - 1].Rank < found[i].Rank, "lookup is in rank order");
                break;
        }
    }

    /// <summary>One state: ranks consecutive from <paramref name="firstRank"/>, scores descending, ties ascending within a score.</summary>
    private static void CheckWindow(IReadOnlyList<RankedEntry> entries, long firstRank)
    {
        for (int i = 0; i < entries.Count; i++)
        {
            Check(entries[i].Rank == firstRank + i, "ranks are consecutive");
            if (i == 0) continue;
            RankedEntry a = entries[i - 1], b = entries[i];
            Check(a.Score > b.Score || (a.Score == b.Score && a.TiePosition < b.TiePosition), "entries follow board order");
        }
    }

    private static void Check(bool condition, string what)
    {
        if (!condition) throw new InvalidOperationException("Torn read: " + what);
    }
}
