using EventLeaderboard.LoadGen.Cli;

// See docs/load-testing.md for the scenarios and how to read their output.
return await LoadGenCommands.Build().Parse(args).InvokeAsync();
