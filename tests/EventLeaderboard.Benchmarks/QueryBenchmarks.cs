using BenchmarkDotNet.Attributes;
using EventLeaderboard.Ranking;

namespace EventLeaderboard.Benchmarks;

/// <summary>Single operations on a 10M-player board (descending, latest policy).</summary>
[MemoryDiagnoser]
[Config(typeof(ShortJobConfig))]
public class QueryBenchmarks
{
    private const int Pool = 1 << 16; // pre-generated random inputs, cycled

    private RankingBoard _board = null!;
    private string[] _ids = null!;
    private long[] _scores = null!;
    private long[] _rangeLows = null!;
    private int _next;
    private long _tie;

    [Params(BoardData.DefaultPlayers)]
    public int Players { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        _board = BoardData.Build(Players);
        _ids = BoardData.RandomIds(Players, Pool, seed: 1);
        var random = new Random(2);
        _scores = new long[Pool];
        _rangeLows = new long[Pool];
        for (int i = 0; i < Pool; i++)
        {
            _scores[i] = random.NextInt64(0, BoardData.ScoreRange);
            _rangeLows[i] = random.NextInt64(0, BoardData.ScoreRange);
        }
        _tie = Players + 1L;
    }

    /// <summary>A random existing player submits a random new score (always moves in the tree).</summary>
    [Benchmark]
    public ApplyResult ApplyRandomSubmission()
    {
        int i = _next++ & (Pool - 1);
        return _board.Apply(_ids[i], _scores[i], _tie++);
    }

    [Benchmark]
    public long RankOfRandomPlayer()
    {
        _board.TryGet(_ids[_next++ & (Pool - 1)], out RankedEntry entry);
        return entry.Rank;
    }

    [Benchmark]
    public IReadOnlyList<RankedEntry> Top100() => _board.GetTop(0, 100);

    [Benchmark]
    public IReadOnlyList<RankedEntry> Around10Above10Below()
    {
        _board.TryGetAround(_ids[_next++ & (Pool - 1)], 10, 10, out var entries);
        return entries;
    }

    /// <summary>Count of players whose score lies in a random window of 1% of the score range.</summary>
    [Benchmark]
    public long ScoreRangeCount()
    {
        long low = _rangeLows[_next++ & (Pool - 1)];
        return _board.CountInScoreRange(low, low + BoardData.ScoreRange / 100);
    }
}
