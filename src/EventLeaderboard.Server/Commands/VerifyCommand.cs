using EventLeaderboard.Server.Audit;
using JasperFx.CommandLine;

namespace EventLeaderboard.Server.Commands;

[Description("Checks one board: what a restarting node builds (newest snapshot + tail) against a rebuild from the events alone", Name = "verify")]
public sealed class VerifyCommand : JasperFxAsyncCommand<BoardInput>
{
    public override async Task<bool> Execute(BoardInput input)
    {
        using var host = input.BuildHost();
        var boards = new OfflineBoards(host.Services);
        var (projection, head) = await boards.AtHeadAsync(input.Board, CancellationToken.None);
        var rebuilt = await boards.Rebuilder.FromEventsAsync(input.Board, head, CancellationToken.None);
        if (!projection.TryGetBoard(input.Board, out var restored) || rebuilt.Board is null)
        {
            Console.WriteLine($"No board '{input.Board}' in the log.");
            return false;
        }
        var comparison = BoardComparison.Of(rebuilt.Board.Ranking, restored.Ranking);
        Console.WriteLine($"{{ \"consistent\": {(comparison.Consistent ? "true" : "false")}, \"players\": {comparison.Players}, " +
            $"\"sequence\": {Ingest.LogPosition.EndOf(head)}, \"checksum\": \"{comparison.ChecksumText}\" }}");
        if (!comparison.Consistent) Console.WriteLine($"{comparison.Mismatches} ranks differ, the first at rank {comparison.FirstMismatchRank}.");
        return comparison.Consistent;
    }
}
