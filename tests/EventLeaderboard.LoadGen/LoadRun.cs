using System.Diagnostics;
using EventLeaderboard.LoadGen.Measurement;

namespace EventLeaderboard.LoadGen;

/// <summary>What one request did: its operation name (for the latency table) and the scores it carried.</summary>
public readonly record struct Outcome(string Operation, int Events);

/// <summary>
/// One bounded run: warm-up, then the measured phase, then stop. The stop token fires after warm-up + duration
/// (or on Ctrl+C); in-flight requests are then cancelled and not counted. Workers are closed loops: each sends
/// its next request as soon as the previous one answers, so latency is measured without correction for
/// coordinated omission (a stall delays the requests that would have been sent meanwhile).
/// </summary>
public sealed class LoadRun : IDisposable
{
    private static readonly TimeSpan ConnectionErrorBackoff = TimeSpan.FromMilliseconds(100);

    private readonly Settings _settings;
    private readonly CancellationTokenSource _stop;
    private long _measureStart;
    private TimeSpan _cpuAtMeasureStart;

    /// <summary>Starts the clock: the run stops by itself after warm-up + duration.</summary>
    public LoadRun(Settings settings, CancellationToken cancellationToken)
    {
        _settings = settings;
        _stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        _stop.CancelAfter(settings.Warmup + settings.Duration);
        Live = new LiveCounters(Phase);
    }

    /// <summary>Warm-up or measuring.</summary>
    public MeasurementPhase Phase { get; } = new();

    /// <summary>Totals of the main workers, for the progress line.</summary>
    public LiveCounters Live { get; }

    /// <summary>Fires when the run is over.</summary>
    public CancellationToken Stopping => _stop.Token;

    /// <summary>
    /// CPU time this process (the generator itself) used during the measured phase. On a machine shared with the
    /// server it says how much of the cores the load generation took away from what is being measured.
    /// </summary>
    public TimeSpan GeneratorCpu { get; private set; }

    /// <summary>When <see cref="ExecuteAsync"/> began.</summary>
    public DateTimeOffset StartedAt { get; private set; }

    /// <summary>
    /// Runs <paramref name="workers"/> (and <paramref name="sideTasks"/>, such as background ingest) until the stop
    /// token fires or every worker returns; prints progress once a second. Returns the measured time.
    /// </summary>
    public async Task<TimeSpan> ExecuteAsync(IReadOnlyList<Func<CancellationToken, Task>> workers, Func<string>? progressTail = null, params Func<CancellationToken, Task>[] sideTasks)
    {
        StartedAt = DateTimeOffset.UtcNow;
        using var progressStop = new CancellationTokenSource();
        var progress = ProgressReporter.RunAsync(Live, progressTail, progressStop.Token);
        var warmup = EndWarmupAsync();
        var running = workers.Select(w => Task.Run(() => w(Stopping))).ToList();
        var side = sideTasks.Select(t => Task.Run(() => t(Stopping))).ToList();

        await Task.WhenAll(running).ConfigureAwait(false);
        var measured = Phase.Measuring ? Stopwatch.GetElapsedTime(Interlocked.Read(ref _measureStart)) : TimeSpan.Zero;
        GeneratorCpu = Phase.Measuring ? ProcessCpu() - _cpuAtMeasureStart : TimeSpan.Zero;
        await _stop.CancelAsync().ConfigureAwait(false);
        await Task.WhenAll(side).ConfigureAwait(false);
        await warmup.ConfigureAwait(false);
        await progressStop.CancelAsync().ConfigureAwait(false);
        await progress.ConfigureAwait(false);
        return measured;
    }

    /// <summary>A closed-loop worker: calls <paramref name="next"/> until the run stops or it returns null (no more work).</summary>
    public static Func<CancellationToken, Task> ClosedLoop(WorkerRecorder recorder, Func<CancellationToken, Task<Outcome?>> next) =>
        async stopping =>
        {
            while (!stopping.IsCancellationRequested)
            {
                var start = Stopwatch.GetTimestamp();
                Outcome? outcome;
                try
                {
                    outcome = await next(stopping).ConfigureAwait(false);
                }
                catch (OperationCanceledException) when (stopping.IsCancellationRequested)
                {
                    return;
                }
#pragma warning disable CA1031 // A load generator counts every failure and carries on.
                catch (Exception error)
#pragma warning restore CA1031
                {
                    var kind = ErrorKinds.Of(error);
                    recorder.Failure(kind);
                    if (kind == ErrorKinds.Connection)
                    {
                        await DelayQuietly(ConnectionErrorBackoff, stopping).ConfigureAwait(false);
                    }

                    continue;
                }

                if (outcome is not { } done)
                {
                    return;
                }

                recorder.Success(done.Operation, start, done.Events);
            }
        };

    /// <inheritdoc />
    public void Dispose() => _stop.Dispose();

    internal static async Task DelayQuietly(TimeSpan delay, CancellationToken cancellationToken)
    {
        try
        {
            await Task.Delay(delay, cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            // Stopping.
        }
    }

    private static TimeSpan ProcessCpu()
    {
        using var process = Process.GetCurrentProcess();
        return process.TotalProcessorTime;
    }

    private async Task EndWarmupAsync()
    {
        if (_settings.Warmup > TimeSpan.Zero)
        {
            await DelayQuietly(_settings.Warmup, Stopping).ConfigureAwait(false);
        }

        _cpuAtMeasureStart = ProcessCpu();
        Interlocked.Exchange(ref _measureStart, Stopwatch.GetTimestamp());
        Phase.Start();
    }
}
