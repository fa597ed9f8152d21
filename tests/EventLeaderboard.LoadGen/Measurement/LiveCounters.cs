namespace EventLeaderboard.LoadGen.Measurement;

/// <summary>
/// Totals every worker adds to with <see cref="Interlocked"/>, read once a second for the progress line.
/// A few atomic adds per request are noise next to an HTTP round trip.
/// </summary>
public sealed class LiveCounters(MeasurementPhase phase)
{
    private long _requests;
    private long _events;
    private long _errors;
    private long _latencyMicros;

    /// <summary>False during warm-up: workers then update these counters but not their histograms.</summary>
    public bool Measuring => phase.Measuring;

    /// <summary>Counts a successful request.</summary>
    public void Success(int events, long micros)
    {
        Interlocked.Increment(ref _requests);
        Interlocked.Add(ref _events, events);
        Interlocked.Add(ref _latencyMicros, micros);
    }

    /// <summary>Counts a failed request.</summary>
    public void Failure()
    {
        Interlocked.Increment(ref _requests);
        Interlocked.Increment(ref _errors);
    }

    /// <summary>Current totals since the start (warm-up included).</summary>
    public (long Requests, long Events, long Errors, long LatencyMicros) Read() =>
        (Interlocked.Read(ref _requests), Interlocked.Read(ref _events), Interlocked.Read(ref _errors), Interlocked.Read(ref _latencyMicros));
}

/// <summary>Warm-up or measuring, shared by every counter of a run (the query scenario has two sets).</summary>
public sealed class MeasurementPhase
{
    private volatile bool _measuring;

    /// <summary>True once the warm-up is over.</summary>
    public bool Measuring => _measuring;

    /// <summary>Ends the warm-up.</summary>
    public void Start() => _measuring = true;
}
