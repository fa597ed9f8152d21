using JasperFx.CommandLine;

namespace EventLeaderboard.Server.Commands;

public class SnapshotInput : NetCoreInput
{
    [Description("One board; all boards when omitted")]
    public string? Board { get; set; }
}

[Description("Snapshots every board (or one) at the head of the log: newest snapshot + tail, stored as a new snapshot", Name = "snapshot")]
public sealed class SnapshotCommand : JasperFxAsyncCommand<SnapshotInput>
{
    public SnapshotCommand()
    {
        Usage("Snapshot every board");
        Usage("Snapshot one board").Arguments(x => x.Board!);
    }

    public override async Task<bool> Execute(SnapshotInput input)
    {
        using var host = input.BuildHost();
        var boards = new OfflineBoards(host.Services);
        var (projection, head) = await boards.AtHeadAsync(input.Board, CancellationToken.None);
        var taken = await boards.SnapshotAsync(projection, head, input.Board, CancellationToken.None);
        foreach (var s in taken) Console.WriteLine($"{s.BoardId}: snapshot at seq_id {s.SeqId}, {s.Players} players, {s.Bytes.Length} bytes");
        if (taken.Count == 0) Console.WriteLine(input.Board is null ? "No boards." : $"No board '{input.Board}'.");
        return input.Board is null || taken.Count > 0;
    }
}
