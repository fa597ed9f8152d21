using System.Diagnostics;
using System.Globalization;
using EventLeaderboard.Client;
using EventLeaderboard.Client.Contracts;
using EventLeaderboard.LoadGen.Measurement;

namespace EventLeaderboard.LoadGen.Scenarios;

/// <summary>
/// <c>query</c>: closed-loop reads over <c>connections</c> connections while a paced background ingest writes
/// <c>--background-ingest</c> events/s, so reads are measured against a ranking that keeps changing.
/// Kinds: <c>rank</c> (player standing), <c>top</c> (top 100), <c>around</c> (10 above, 10 below), <c>all</c>
/// (the three in turn). Players are drawn from <c>p0..p{players-1}</c>: seed the board first, or most rank and
/// around reads answer 404 (counted as errors).
/// </summary>
public static class QueryScenario
{
    /// <summary>The accepted values of <c>--kind</c>.</summary>
    public static readonly string[] Kinds = ["rank", "top", "around", "all"];

    // The product's goal is stated for a top-100 page (the size of a typical in-game leaderboard screen).
    private const int TopLimit = 100;

    private const int BackgroundBatch = 1000;

    // Paced, not closed-loop: if this many batches are still in flight when the next one is due, that one is
    // skipped and counted, rather than queued (a queue would hide that the server fell behind).
    private const int BackgroundMaxInFlight = 8;

    /// <summary>Runs <c>query</c>.</summary>
    public static async Task<int> RunAsync(Settings settings, string kind, int connections, int backgroundEventsPerSecond, CancellationToken cancellationToken)
    {
        var (http, client) = LoadTarget.Connect(settings, connections + BackgroundMaxInFlight);
        using (http)
        {
            var players = await LoadTarget.EnsureBoardAsync(client, settings, cancellationToken).ConfigureAwait(false);
            if (players < settings.Players)
            {
                Console.WriteLine($"warning: the board has {players:N0} players but reads target p0..p{settings.Players - 1}; run 'seed --players {settings.Players}' first or pass --players {players}.");
            }

            using var run = new LoadRun(settings, cancellationToken);
            var recorders = new List<WorkerRecorder>();
            var workers = new List<Func<CancellationToken, Task>>();
            for (var i = 0; i < connections; i++)
            {
                var recorder = new WorkerRecorder(run.Live);
                recorders.Add(recorder);
                var random = new Random(settings.Seed + i);
                var turn = i;
                workers.Add(LoadRun.ClosedLoop(recorder, ct =>
                {
                    var op = kind == "all" ? Kinds[turn++ % 3] : kind;
                    return QueryAsync(client, settings, op, random, ct);
                }));
            }

            var backgroundLive = new LiveCounters(run.Phase);
            var background = new WorkerRecorder(backgroundLive);
            long skipped = 0;
            var sideTasks = backgroundEventsPerSecond > 0
                ? new Func<CancellationToken, Task>[] { ct => BackgroundIngestAsync(client, settings, backgroundEventsPerSecond, background, () => Interlocked.Increment(ref skipped), ct) }
                : [];

            var measured = await run.ExecuteAsync(
                workers,
                () => backgroundEventsPerSecond > 0 ? string.Create(CultureInfo.InvariantCulture, $"  bg events {backgroundLive.Read().Events:N0}") : "",
                sideTasks).ConfigureAwait(false);

            var parameters = new Dictionary<string, string>
            {
                ["kind"] = kind,
                ["connections"] = connections.ToString(CultureInfo.InvariantCulture),
                ["players"] = settings.Players.ToString(CultureInfo.InvariantCulture),
                ["backgroundIngestTarget"] = backgroundEventsPerSecond.ToString(CultureInfo.InvariantCulture),
                ["backgroundSkippedBatches"] = Interlocked.Read(ref skipped).ToString(CultureInfo.InvariantCulture),
            };
            var summary = RunStats.Summarize("query", settings, run.StartedAt, measured, run.GeneratorCpu, connections, recorders, parameters);
            if (backgroundEventsPerSecond > 0)
            {
                summary = summary with
                {
                    BackgroundIngest = RunStats.Summarize("background-ingest", settings, run.StartedAt, measured, TimeSpan.Zero, BackgroundMaxInFlight, [background], parameters),
                };
            }

            return await SummaryOutput.WriteAsync(summary, settings).ConfigureAwait(false);
        }
    }

    private static async Task<Outcome?> QueryAsync(LeaderboardClient client, Settings settings, string op, Random random, CancellationToken ct)
    {
        switch (op)
        {
            case "top":
                await client.GetTopAsync(settings.Board, limit: TopLimit, cancellationToken: ct).ConfigureAwait(false);
                break;
            case "around":
                await client.GetAroundAsync(settings.Board, LoadTarget.PlayerId(random.NextInt64(settings.Players)), above: 10, below: 10, cancellationToken: ct).ConfigureAwait(false);
                break;
            default:
                await client.GetPlayerAsync(settings.Board, LoadTarget.PlayerId(random.NextInt64(settings.Players)), cancellationToken: ct).ConfigureAwait(false);
                break;
        }

        return new Outcome(op, 0);
    }

    private static async Task BackgroundIngestAsync(LeaderboardClient client, Settings settings, int eventsPerSecond, WorkerRecorder recorder, Action onSkipped, CancellationToken stopping)
    {
        var batch = Math.Min(BackgroundBatch, eventsPerSecond);
        using var timer = new PeriodicTimer(TimeSpan.FromSeconds(batch / (double)eventsPerSecond));
        using var inFlight = new SemaphoreSlim(BackgroundMaxInFlight);
        var random = new Random(settings.Seed ^ 0x5eed);
        var sends = new List<Task>();
        try
        {
            while (await timer.WaitForNextTickAsync(stopping).ConfigureAwait(false))
            {
                if (!inFlight.Wait(0, CancellationToken.None))
                {
                    onSkipped();
                    continue;
                }

                var items = new ScoreSubmission[batch];
                for (var j = 0; j < batch; j++)
                {
                    items[j] = new ScoreSubmission(LoadTarget.PlayerId(random.NextInt64(settings.Players)), random.NextInt64(1_000_000_000));
                }

                sends.RemoveAll(t => t.IsCompleted);
                sends.Add(SendAsync(items));
            }
        }
        catch (OperationCanceledException)
        {
            // The run is over.
        }

        await Task.WhenAll(sends).ConfigureAwait(false);

        async Task SendAsync(ScoreSubmission[] items)
        {
            var start = Stopwatch.GetTimestamp();
            try
            {
                var result = await client.SubmitScoresAsync(settings.Board, items, stopping).ConfigureAwait(false);
                lock (recorder)
                {
                    recorder.Success("bg-batch", start, result.Results.Count);
                }
            }
            catch (OperationCanceledException) when (stopping.IsCancellationRequested)
            {
                // Cut off by the end of the run: not a failure.
            }
#pragma warning disable CA1031 // Counted, not thrown: the background ingest keeps going.
            catch (Exception error)
#pragma warning restore CA1031
            {
                lock (recorder)
                {
                    recorder.Failure(ErrorKinds.Of(error));
                }
            }
            finally
            {
                inFlight.Release();
            }
        }
    }
}
