using System.Diagnostics;
using EventLeaderboard.Ranking;

namespace EventLeaderboard.Benchmarks;

/// <summary>
/// Builds a board, forces a full compacting GC and prints what the board holds per player, measured as the
/// managed heap growth (everything the board references: tree, id index, id arena, free lists), plus the
/// snapshot size and one timed snapshot write and restore. Also measures the restored (compacted) board.
/// </summary>
internal static class MemoryReport
{
    public static void Run(int players)
    {
        Console.WriteLine($"players: {players:N0}, ids like {BoardData.IdOf(1234567)}, cores: {Environment.ProcessorCount}");
        long baseline = HeapAfterFullGc();
        var clock = Stopwatch.StartNew();
        RankingBoard board = BoardData.Build(players);
        Console.WriteLine($"build by {players:N0} applies: {clock.Elapsed.TotalSeconds:F1} s");
        long heap = HeapAfterFullGc() - baseline;
        Report("built by applies", board, heap, players);
        LatencyProbe.Run(board, players);

        var snapshot = new MemoryStream(capacity: players * 32);
        clock.Restart();
        board.WriteSnapshot(snapshot);
        double writeSeconds = clock.Elapsed.TotalSeconds;
        Console.WriteLine($"snapshot: {snapshot.Length:N0} bytes = {(double)snapshot.Length / players:F2} bytes/player; write {writeSeconds:F3} s");
        ulong checksum = board.ComputeContentChecksum();

        board = null!;
        byte[] bytes = snapshot.ToArray();
        snapshot = null!;
        long baseline2 = HeapAfterFullGc();
        clock.Restart();
        RankingBoard restored = RankingBoard.ReadSnapshot(new MemoryStream(bytes, writable: false));
        double restoreSeconds = clock.Elapsed.TotalSeconds;
        Console.WriteLine($"restore: {restoreSeconds:F3} s, checksum {(restored.ComputeContentChecksum() == checksum ? "equal" : "DIFFERENT")}");
        long heap2 = HeapAfterFullGc() - baseline2;
        Report("restored from snapshot", restored, heap2, players);
        GC.KeepAlive(bytes);
    }

    private static void Report(string label, RankingBoard board, long heapBytes, int players)
    {
        Console.WriteLine($"[{label}] heap growth after full GC: {heapBytes:N0} bytes = {(double)heapBytes / players:F2} bytes/player " +
                          $"(structures {(double)board.AllocatedBytes / players:F2} bytes/player, tree height {board.TreeHeight})");
    }

    private static long HeapAfterFullGc()
    {
        System.Runtime.GCSettings.LargeObjectHeapCompactionMode = System.Runtime.GCLargeObjectHeapCompactionMode.CompactOnce;
        GC.Collect(GC.MaxGeneration, GCCollectionMode.Forced, blocking: true, compacting: true);
        GC.WaitForPendingFinalizers();
        GC.Collect(GC.MaxGeneration, GCCollectionMode.Forced, blocking: true, compacting: true);
        return GC.GetTotalMemory(forceFullCollection: true);
    }
}
