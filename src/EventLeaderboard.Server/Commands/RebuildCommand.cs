using JasperFx.CommandLine;

namespace EventLeaderboard.Server.Commands;

[Description("Rebuilds one board from the event log alone (no snapshot) and prints its checksum; --snapshot stores the result", Name = "rebuild")]
public sealed class RebuildCommand : JasperFxAsyncCommand<BoardInput>
{
    public override async Task<bool> Execute(BoardInput input)
    {
        using var host = input.BuildHost();
        var boards = new OfflineBoards(host.Services);
        var head = await boards.Replay.HeadSeqIdAsync(CancellationToken.None);
        // Process CPU as well as wall time: on a shared machine the wall time says more about the neighbours.
        var cpu = Environment.CpuUsage.TotalTime;
        var built = await boards.Rebuilder.FromEventsAsync(input.Board, head, CancellationToken.None);
        cpu = Environment.CpuUsage.TotalTime - cpu;
        var r = built.Replay;
        Console.WriteLine($"Read {r.Events:N0} events (up to seq_id {head}) in {r.Elapsed.TotalSeconds:F2} s: {r.EventsPerSecond:N0} events/s, {r.Scores / Math.Max(r.Elapsed.TotalSeconds, 1e-9):N0} scores of this board/s");
        Console.WriteLine($"Process CPU {cpu.TotalSeconds:F2} s: {r.Scores / Math.Max(cpu.TotalSeconds, 1e-9):N0} scores per CPU-second");
        if (built.Board is not { } board)
        {
            Console.WriteLine($"No board '{input.Board}' in the log.");
            return false;
        }
        Console.WriteLine($"{input.Board}: {board.Ranking.Count} players, checksum {board.Ranking.ComputeContentChecksum():x16}");
        if (input.SnapshotFlag)
        {
            var projection = boards.Replay.NewProjection();
            projection.Restore(board);
            await boards.SnapshotAsync(projection, head, input.Board, CancellationToken.None);
            Console.WriteLine($"Stored as a snapshot at seq_id {head}.");
        }
        return true;
    }
}
