using System.Globalization;

namespace EventLeaderboard.LoadGen.Measurement;

/// <summary>Prints one line a second: rates over the last second, totals, and a scenario-specific tail.</summary>
public static class ProgressReporter
{
    /// <summary>Runs until <paramref name="cancellationToken"/> fires.</summary>
    public static async Task RunAsync(LiveCounters live, Func<string>? extra, CancellationToken cancellationToken)
    {
        var c = CultureInfo.InvariantCulture;
        var started = DateTime.UtcNow;
        var previous = live.Read();
        using var timer = new PeriodicTimer(TimeSpan.FromSeconds(1));
        try
        {
            while (await timer.WaitForNextTickAsync(cancellationToken).ConfigureAwait(false))
            {
                var now = live.Read();
                var requests = now.Requests - previous.Requests;
                var successes = requests - (now.Errors - previous.Errors);
                var mean = successes > 0 ? (now.LatencyMicros - previous.LatencyMicros) / (double)successes / 1000.0 : 0;
                var phase = live.Measuring ? "run " : "warm";
                Console.WriteLine(string.Create(c,
                    $"[{(DateTime.UtcNow - started).TotalSeconds,4:F0}s {phase}] req/s {requests,8:N0}  events/s {now.Events - previous.Events,10:N0}  mean {mean,7:F2} ms  errors/s {now.Errors - previous.Errors,6:N0} (total {now.Errors:N0}){extra?.Invoke()}"));
                previous = now;
            }
        }
        catch (OperationCanceledException)
        {
            // The run is over.
        }
    }
}
