using System.CommandLine;
using System.CommandLine.Parsing;
using EventLeaderboard.Client.Contracts;
using EventLeaderboard.LoadGen.Scenarios;

namespace EventLeaderboard.LoadGen.Cli;

/// <summary>The command line: one sub-command per scenario, common options on the root (recursive).</summary>
public static class LoadGenCommands
{
    /// <summary>Key the server's Development configuration ships with (appsettings.json, Auth:DevelopmentApiKeys).</summary>
    public const string DevelopmentKey = "dev-admin-key";

    private static readonly Option<Uri> Url = new("--url")
    {
        Description = "Service root. Only loopback addresses unless --allow-remote.",
        DefaultValueFactory = _ => new Uri("http://127.0.0.1:5080/"),
        CustomParser = ParseUrl,
        Recursive = true,
    };

    private static readonly Option<string> Key = new("--key")
    {
        Description = "API key (admin, to create the board). Default: $EVENTLEADERBOARD_API_KEY, else the development key.",
        DefaultValueFactory = _ => Environment.GetEnvironmentVariable("EVENTLEADERBOARD_API_KEY") is { Length: > 0 } key ? key : DevelopmentKey,
        Recursive = true,
    };

    private static readonly Option<string> Board = new("--board")
    {
        Description = "Board id; created (PUT) when missing.",
        DefaultValueFactory = _ => "loadtest",
        Recursive = true,
    };

    private static readonly Option<TimeSpan?> Duration = new("--duration")
    {
        Description = "Measured time (30s, 5m, ...); the run stops by itself after warm-up + duration. Default 30s; seed: 60m cap.",
        CustomParser = ParseDuration,
        Recursive = true,
    };

    private static readonly Option<TimeSpan?> Warmup = new("--warmup")
    {
        Description = "Load applied but not recorded before the measured phase. Default 3s; seed: 0s.",
        CustomParser = ParseDuration,
        Recursive = true,
    };

    private static readonly Option<int> Seed = new("--seed")
    {
        Description = "Seed of every random choice (players, scores), for repeatable runs.",
        DefaultValueFactory = _ => 42,
        Recursive = true,
    };

    private static readonly Option<long> Players = new("--players")
    {
        Description = "Player ids are p0..p{players-1}.",
        DefaultValueFactory = _ => 1_000_000,
        Recursive = true,
    };

    private static readonly Option<string?> JsonOut = new("--json-out")
    {
        Description = "Also write the summary as JSON to this file.",
        Recursive = true,
    };

    private static readonly Option<bool> AllowRemote = new("--allow-remote")
    {
        Description = "Allow a non-loopback --url (off: a load generator should not hit a shared server by accident).",
        Recursive = true,
    };

    private static readonly Option<bool> NoSubmissionIds = new("--no-submission-ids")
    {
        Description = "Send scores without submission ids (skips the server's dedupe work; retries would not be idempotent).",
        Recursive = true,
    };

    private static readonly Option<SortOrder> Order = new("--sort-order")
    {
        Description = "Sort order of a board this run creates.",
        DefaultValueFactory = _ => SortOrder.Descending,
        Recursive = true,
    };

    private static readonly Option<UpdatePolicy> Policy = new("--policy")
    {
        Description = "Update policy of a board this run creates.",
        DefaultValueFactory = _ => UpdatePolicy.Best,
        Recursive = true,
    };

    /// <summary>Builds the root command.</summary>
    public static RootCommand Build()
    {
        var root = new RootCommand("EventLeaderboard load generator: bounded, loopback-only closed-loop load with latency percentiles.");
        foreach (var option in new Option[] { Url, Key, Board, Duration, Warmup, Seed, Players, JsonOut, AllowRemote, NoSubmissionIds, Order, Policy })
        {
            root.Options.Add(option);
        }

        root.Subcommands.Add(IngestBatch());
        root.Subcommands.Add(IngestSingle());
        root.Subcommands.Add(SeedCommand());
        root.Subcommands.Add(Query());
        root.Subcommands.Add(Smoke());
        root.Subcommands.Add(Drain());
        return root;
    }

    private static Command IngestBatch()
    {
        var clients = Positive("--clients", 8, "Concurrent clients, each with one batch in flight.");
        var batch = Positive("--batch", 1000, "Scores per batch (1-1000).");
        var command = new Command("ingest-batch", "Closed-loop batch ingest: events/s and per-batch latency.") { clients, batch };
        command.SetAction((result, ct) => Run(result, defaultWarmup: TimeSpan.FromSeconds(3), defaultDuration: TimeSpan.FromSeconds(30),
            settings => IngestScenarios.RunBatchAsync(settings, result.GetValue(clients), result.GetValue(batch), ct)));
        return command;
    }

    private static Command IngestSingle()
    {
        var clients = Positive("--clients", 64, "Concurrent clients, each with one submission in flight.");
        var command = new Command("ingest-single", "Closed-loop single-score ingest: submissions/s and latency of a durable write.") { clients };
        command.SetAction((result, ct) => Run(result, TimeSpan.FromSeconds(3), TimeSpan.FromSeconds(30),
            settings => IngestScenarios.RunSingleAsync(settings, result.GetValue(clients), ct)));
        return command;
    }

    private static Command SeedCommand()
    {
        var clients = Positive("--clients", 8, "Concurrent batches in flight.");
        var batch = Positive("--batch", 1000, "Scores per batch (1-1000).");
        var command = new Command("seed", "Writes every player p0..p{players-1} once, through the batch endpoint, with progress and ETA.") { clients, batch };
        command.SetAction((result, ct) => Run(result, TimeSpan.Zero, TimeSpan.FromMinutes(60),
            settings => SeedScenario.RunAsync(settings, result.GetValue(clients), result.GetValue(batch), ct)));
        return command;
    }

    private static Command Query()
    {
        var kind = new Option<string>("--kind") { Description = "rank | top | around | all (the three in turn).", DefaultValueFactory = _ => "all" };
        kind.AcceptOnlyFromAmong(QueryScenario.Kinds);
        var connections = Positive("--connections", 50, "Concurrent connections, each with one read in flight.");
        var background = new Option<int>("--background-ingest") { Description = "Events/s of paced background batch ingest during the reads (0: none).", DefaultValueFactory = _ => 0 };
        var command = new Command("query", "Closed-loop reads (rank/top/around) against a seeded board, optionally under background ingest.") { kind, connections, background };
        command.SetAction((result, ct) => Run(result, TimeSpan.FromSeconds(3), TimeSpan.FromSeconds(30),
            settings => QueryScenario.RunAsync(settings, result.GetValue(kind)!, result.GetValue(connections), Math.Max(0, result.GetValue(background)), ct)));
        return command;
    }

    private static Command Drain()
    {
        var messages = Positive("--messages", 1_000_000, "Backlog size: score.submitted messages on a fresh board.");
        var batch = Positive("--batch", 1000, "Messages per read (1-1000); each read is acknowledged as a whole.");
        var pid = new Option<int>("--server-pid") { Description = "Server process id: report the CPU it and its children (its PostgreSQL) spend per message.", DefaultValueFactory = _ => 0 };
        var command = new Command("drain", "Consumer-group drain: ingest a backlog, then read+ack it in batches with one consumer; messages/s and CPU per message.") { messages, batch, pid };
        command.SetAction((result, ct) => Run(result, TimeSpan.Zero, TimeSpan.Zero,
            settings => SubscriptionScenarios.DrainAsync(settings, result.GetValue(messages), Math.Min(1000, result.GetValue(batch)), result.GetValue(pid), ct)));
        return command;
    }

    private static Command Smoke()
    {
        var command = new Command("smoke", "Not a load test: one call of every contract operation through the typed client on a fresh board, PASS/FAIL/MISSING each.");
        command.SetAction((result, ct) => Run(result, TimeSpan.Zero, TimeSpan.Zero, settings => ContractSmoke.RunAsync(settings, ct)));
        return command;
    }

    private static async Task<int> Run(ParseResult result, TimeSpan defaultWarmup, TimeSpan defaultDuration, Func<Settings, Task<int>> scenario)
    {
        var url = result.GetValue(Url)!;
        if (!LoadTarget.IsLoopback(url) && !result.GetValue(AllowRemote))
        {
            await Console.Error.WriteLineAsync($"refusing non-loopback target {url}: pass --allow-remote if you really mean it.").ConfigureAwait(false);
            return 2;
        }

        var players = result.GetValue(Players);
        if (players < 1)
        {
            await Console.Error.WriteLineAsync("--players must be at least 1.").ConfigureAwait(false);
            return 2;
        }

        var settings = new Settings(
            url,
            result.GetValue(Key)!,
            result.GetValue(Board)!,
            result.GetValue(Duration) ?? defaultDuration,
            result.GetValue(Warmup) ?? defaultWarmup,
            result.GetValue(Seed),
            players,
            result.GetValue(JsonOut),
            result.GetValue(AllowRemote),
            !result.GetValue(NoSubmissionIds),
            result.GetValue(Order),
            result.GetValue(Policy));
        try
        {
            return await scenario(settings).ConfigureAwait(false);
        }
        catch (Exception error) when (error is HttpRequestException or EventLeaderboard.Client.Problems.LeaderboardProblemException)
        {
            // Setup failed (server down, wrong key): say so in one line instead of a stack trace.
            await Console.Error.WriteLineAsync($"setup failed against {url}: {error.Message}").ConfigureAwait(false);
            return 3;
        }
    }

    private static Option<int> Positive(string name, int defaultValue, string description)
    {
        var option = new Option<int>(name) { Description = description, DefaultValueFactory = _ => defaultValue };
        option.Validators.Add(r =>
        {
            if (r.GetValueOrDefault<int>() < 1)
            {
                r.AddError($"{name} must be at least 1.");
            }
        });
        return option;
    }

    private static Uri? ParseUrl(ArgumentResult result)
    {
        var text = result.Tokens.Count > 0 ? result.Tokens[0].Value : "";
        if (Uri.TryCreate(text, UriKind.Absolute, out var url) && (url.Scheme == Uri.UriSchemeHttp || url.Scheme == Uri.UriSchemeHttps))
        {
            return url;
        }

        result.AddError($"'{text}' is not an absolute http(s) URL.");
        return null;
    }

    private static TimeSpan? ParseDuration(ArgumentResult result)
    {
        var text = result.Tokens.Count > 0 ? result.Tokens[0].Value : "";
        var parsed = DurationParser.Parse(text);
        if (parsed is null)
        {
            result.AddError($"'{text}' is not a duration (30s, 500ms, 5m, 1h).");
        }

        return parsed;
    }
}
