namespace EventLeaderboard.Server.Observability;

/// <summary>Section <c>Observability</c>.</summary>
public sealed class ObservabilityOptions
{
    /// <summary>
    /// True: <c>/metrics</c> answers without a key (the usual Prometheus set-up, on a network only
    /// the scraper reaches). False: it needs a key with the <c>read</c> role.
    /// </summary>
    public bool MetricsAnonymous { get; set; } = true;

    /// <summary>How often the gauges that need a database query (log head, snapshot age, consumer-group lag) are refreshed.</summary>
    public int SampleIntervalSeconds { get; set; } = 10;

    /// <summary>The board-size gauge reports at most this many boards (the largest), to bound label cardinality.</summary>
    public int MaxBoardsReported { get; set; } = 200;

    /// <summary>OTLP endpoint for traces (e.g. http://otel-collector:4317); none: traces are recorded for nobody.</summary>
    public string? OtlpEndpoint { get; set; }
}
