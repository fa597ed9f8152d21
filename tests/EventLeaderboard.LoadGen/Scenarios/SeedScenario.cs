using System.Collections.Concurrent;
using System.Globalization;
using EventLeaderboard.Client.Contracts;
using EventLeaderboard.LoadGen.Measurement;

namespace EventLeaderboard.LoadGen.Scenarios;

/// <summary>
/// <c>seed</c>: writes every player <c>p0..p{players-1}</c> exactly once through the batch endpoint, as fast as
/// <c>clients</c> concurrent batches allow. Batches are handed out from a shared counter; a failed batch is put
/// back and sent again, so the board ends up complete unless the run hits its duration cap. Scores and
/// submission ids are derived from <c>--seed</c> and the player index, so a re-run is idempotent.
/// </summary>
public static class SeedScenario
{
    private const long MaxScore = 1_000_000_000;

    /// <summary>Runs <c>seed</c>.</summary>
    public static async Task<int> RunAsync(Settings settings, int clients, int batch, CancellationToken cancellationToken)
    {
        var (http, client) = LoadTarget.Connect(settings, clients);
        using (http)
        {
            await LoadTarget.EnsureBoardAsync(client, settings, cancellationToken).ConfigureAwait(false);
            var batches = (settings.Players + batch - 1) / batch;
            long nextBatch = -1;
            long seeded = 0;
            var retry = new ConcurrentQueue<long>();

            using var run = new LoadRun(settings, cancellationToken);
            var recorders = new List<WorkerRecorder>();
            var workers = new List<Func<CancellationToken, Task>>();
            for (var i = 0; i < clients; i++)
            {
                var recorder = new WorkerRecorder(run.Live);
                recorders.Add(recorder);
                workers.Add(LoadRun.ClosedLoop(recorder, async ct =>
                {
                    if (!retry.TryDequeue(out var index))
                    {
                        index = Interlocked.Increment(ref nextBatch);
                        if (index >= batches)
                        {
                            return null;
                        }
                    }

                    try
                    {
                        var result = await client.SubmitScoresAsync(settings.Board, BatchOf(index, batch, settings), ct).ConfigureAwait(false);
                        Interlocked.Add(ref seeded, result.Results.Count);
                        return new Outcome("batch", result.Results.Count);
                    }
                    catch
                    {
                        retry.Enqueue(index);
                        throw;
                    }
                }));
            }

            var started = DateTime.UtcNow;
            var measured = await run.ExecuteAsync(workers, () => Progress(Interlocked.Read(ref seeded), settings.Players, DateTime.UtcNow - started)).ConfigureAwait(false);
            var done = Interlocked.Read(ref seeded);
            if (done < settings.Players)
            {
                Console.WriteLine($"seed stopped early: {done:N0} of {settings.Players:N0} players written (duration cap or Ctrl+C); run it again to finish (re-sent scores are duplicates).");
            }

            var summary = RunStats.Summarize("seed", settings, run.StartedAt, measured, run.GeneratorCpu, clients, recorders, new Dictionary<string, string>
            {
                ["clients"] = clients.ToString(CultureInfo.InvariantCulture),
                ["batch"] = batch.ToString(CultureInfo.InvariantCulture),
                ["players"] = settings.Players.ToString(CultureInfo.InvariantCulture),
                ["seeded"] = done.ToString(CultureInfo.InvariantCulture),
                ["submissionIds"] = settings.SubmissionIds.ToString(),
            });
            var exit = await SummaryOutput.WriteAsync(summary, settings).ConfigureAwait(false);
            return done == settings.Players ? 0 : Math.Max(exit, 1);
        }
    }

    private static ScoreSubmission[] BatchOf(long index, int batch, Settings settings)
    {
        var first = index * batch;
        var count = (int)Math.Min(batch, settings.Players - first);
        var items = new ScoreSubmission[count];
        for (var j = 0; j < count; j++)
        {
            var player = first + j;
            items[j] = new ScoreSubmission(LoadTarget.PlayerId(player), ScoreOf(settings.Seed, player))
            {
                SubmissionId = settings.SubmissionIds ? string.Create(CultureInfo.InvariantCulture, $"seed.{settings.Seed}.{player}") : null,
            };
        }

        return items;
    }

    // A cheap stateless mix (SplitMix64 finaliser) so any batch can be rebuilt on retry without shared state.
    private static long ScoreOf(int seed, long player)
    {
        var z = unchecked((ulong)player + ((ulong)(uint)seed << 32) + 0x9E3779B97F4A7C15UL);
        z = unchecked((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL);
        z = unchecked((z ^ (z >> 27)) * 0x94D049BB133111EBUL);
        return (long)((z ^ (z >> 31)) % MaxScore);
    }

    private static string Progress(long seeded, long players, TimeSpan elapsed)
    {
        var fraction = players == 0 ? 1 : seeded / (double)players;
        var eta = fraction > 0 ? TimeSpan.FromSeconds(elapsed.TotalSeconds * (1 - fraction) / fraction) : TimeSpan.Zero;
        return string.Create(CultureInfo.InvariantCulture, $"  seeded {seeded:N0}/{players:N0} ({fraction:P1}) eta {eta:hh\\:mm\\:ss}");
    }
}
