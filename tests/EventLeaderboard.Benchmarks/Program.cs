using BenchmarkDotNet.Running;
using EventLeaderboard.Benchmarks;

// `memory` builds a 10M board and prints bytes per player (not a BenchmarkDotNet run: it needs one
// process, a full GC and nothing else alive). Anything else goes to BenchmarkSwitcher, e.g.
// `-- --filter '*'` or `-- --filter '*Query*'`.
if (args.Length > 0 && args[0] == "memory")
{
    int players = args.Length > 1 ? int.Parse(args[1], System.Globalization.CultureInfo.InvariantCulture) : BoardData.DefaultPlayers;
    MemoryReport.Run(players);
    return;
}

if (args.Length > 0 && args[0] == "stages")
{
    StageProbe.Run(args.Length > 1 ? int.Parse(args[1], System.Globalization.CultureInfo.InvariantCulture) : BoardData.DefaultPlayers);
    return;
}

BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args, new BenchConfig());
