using EventLeaderboard.Client.Contracts;
using EventLeaderboard.LoadGen.Measurement;

namespace EventLeaderboard.LoadGen.Scenarios;

/// <summary>
/// Closed-loop ingest: <c>ingest-batch</c> (each client posts batches to the batch endpoint) and <c>ingest-single</c>
/// (one score per request). Players are drawn uniformly from <c>p0..p{players-1}</c>, scores uniformly from
/// [0, 1e9): with a <c>best</c> board most submissions of a returning player do not change the entry, as in a game
/// where a personal best is rare.
/// </summary>
public static class IngestScenarios
{
    private const long MaxScore = 1_000_000_000;

    /// <summary>Runs <c>ingest-batch</c>.</summary>
    public static Task<int> RunBatchAsync(Settings settings, int clients, int batch, CancellationToken cancellationToken) =>
        RunAsync("ingest-batch", settings, clients, batch, cancellationToken);

    /// <summary>Runs <c>ingest-single</c>.</summary>
    public static Task<int> RunSingleAsync(Settings settings, int clients, CancellationToken cancellationToken) =>
        RunAsync("ingest-single", settings, clients, batch: 0, cancellationToken);

    private static async Task<int> RunAsync(string scenario, Settings settings, int clients, int batch, CancellationToken cancellationToken)
    {
        var (http, client) = LoadTarget.Connect(settings, clients);
        using (http)
        {
            await LoadTarget.EnsureBoardAsync(client, settings, cancellationToken).ConfigureAwait(false);
            using var run = new LoadRun(settings, cancellationToken);
            var recorders = new List<WorkerRecorder>();
            var workers = new List<Func<CancellationToken, Task>>();
            for (var i = 0; i < clients; i++)
            {
                var recorder = new WorkerRecorder(run.Live);
                recorders.Add(recorder);
                var random = new Random(settings.Seed + i);
                workers.Add(LoadRun.ClosedLoop(recorder, batch > 0
                    ? async ct =>
                    {
                        var items = new ScoreSubmission[batch];
                        for (var j = 0; j < items.Length; j++)
                        {
                            items[j] = NextSubmission(random, settings.Players);
                        }

                        var result = await client.SubmitScoresAsync(settings.Board, items, ct).ConfigureAwait(false);
                        return new Outcome("batch", result.Results.Count);
                    }
                    : async ct =>
                    {
                        await client.SubmitScoreAsync(settings.Board, NextSubmission(random, settings.Players), ct).ConfigureAwait(false);
                        return new Outcome("single", 1);
                    }));
            }

            var measured = await run.ExecuteAsync(workers).ConfigureAwait(false);
            var parameters = new Dictionary<string, string>
            {
                ["clients"] = clients.ToString(System.Globalization.CultureInfo.InvariantCulture),
                ["players"] = settings.Players.ToString(System.Globalization.CultureInfo.InvariantCulture),
                ["submissionIds"] = settings.SubmissionIds.ToString(),
            };
            if (batch > 0)
            {
                parameters["batch"] = batch.ToString(System.Globalization.CultureInfo.InvariantCulture);
            }

            return await SummaryOutput.WriteAsync(
                RunStats.Summarize(scenario, settings, run.StartedAt, measured, run.GeneratorCpu, clients, recorders, parameters),
                settings).ConfigureAwait(false);
        }
    }

    private static ScoreSubmission NextSubmission(Random random, long players) =>
        new(LoadTarget.PlayerId(random.NextInt64(players)), random.NextInt64(MaxScore));
}
