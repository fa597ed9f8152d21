using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Engines;
using EventLeaderboard.Ranking;

namespace EventLeaderboard.Benchmarks;

/// <summary>
/// Snapshot write and restore of a 10M-player board, to and from memory (the disk is not what is measured).
/// Each operation takes about a second, so one invocation per iteration (Monitoring), 5 iterations.
/// </summary>
[MemoryDiagnoser]
[SimpleJob(RunStrategy.Monitoring, launchCount: 1, warmupCount: 1, iterationCount: 5)]
public class SnapshotBenchmarks
{
    private RankingBoard _board = null!;
    private MemoryStream _output = null!;
    private byte[] _snapshot = null!;

    [Params(BoardData.DefaultPlayers)]
    public int Players { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        _board = BoardData.Build(Players);
        _output = new MemoryStream(capacity: Players * 32);
        _board.WriteSnapshot(_output);
        _snapshot = _output.ToArray();
        Console.WriteLine($"// snapshot: {_snapshot.Length:N0} bytes, {(double)_snapshot.Length / Players:F2} bytes/player");
    }

    [Benchmark]
    public long WriteSnapshot()
    {
        _output.Position = 0;
        _board.WriteSnapshot(_output);
        return _output.Position;
    }

    [Benchmark]
    public int RestoreSnapshot() => RankingBoard.ReadSnapshot(new MemoryStream(_snapshot, writable: false)).Count;
}
