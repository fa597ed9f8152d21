using System.Diagnostics;

namespace EventLeaderboard.LoadGen.Measurement;

/// <summary>
/// What one worker measured, written only by that worker. Live totals for the once-a-second progress line go
/// to the shared <see cref="LiveCounters"/> instead; this holds the histograms and error counts of the
/// measured phase (after warm-up), merged by <see cref="RunStats"/> at the end.
/// </summary>
public sealed class WorkerRecorder(LiveCounters live)
{
    private readonly Dictionary<string, LatencyHistogram> _latency = new(StringComparer.Ordinal);
    private readonly Dictionary<string, long> _errors = new(StringComparer.Ordinal);

    /// <summary>Latency histograms by operation (successful requests only).</summary>
    public IReadOnlyDictionary<string, LatencyHistogram> Latency => _latency;

    /// <summary>Failed requests by status code ("404") or failure kind ("connection", "timeout").</summary>
    public IReadOnlyDictionary<string, long> Errors => _errors;

    /// <summary>Requests (successful or not) in the measured phase.</summary>
    public long Requests { get; private set; }

    /// <summary>Scores accepted in the measured phase.</summary>
    public long Events { get; private set; }

    /// <summary>Records a successful request that started at <paramref name="startTimestamp"/> (<see cref="Stopwatch"/> ticks).</summary>
    public void Success(string operation, long startTimestamp, int events)
    {
        var micros = (long)Stopwatch.GetElapsedTime(startTimestamp).TotalMicroseconds;
        live.Success(events, micros);
        if (!live.Measuring)
        {
            return;
        }

        Requests++;
        Events += events;
        if (!_latency.TryGetValue(operation, out var histogram))
        {
            _latency[operation] = histogram = new LatencyHistogram();
        }

        histogram.Record(micros);
    }

    /// <summary>Records a failed request.</summary>
    public void Failure(string kind)
    {
        live.Failure();
        if (!live.Measuring)
        {
            return;
        }

        Requests++;
        _errors[kind] = _errors.GetValueOrDefault(kind) + 1;
    }
}
