using System.Text.Json.Serialization;

namespace EventLeaderboard.LoadGen.Measurement;

/// <summary>Latency of one operation in the measured phase, in milliseconds (successful requests only).</summary>
public sealed record LatencySummary(long Count, double Mean, double P50, double P90, double P99, double P999, double Max);

/// <summary>The end-of-run summary, printed and optionally written as JSON (<c>--json-out</c>).</summary>
/// <param name="MeasuredSeconds">Wall time after warm-up until the last worker stopped.</param>
/// <param name="Concurrency">Workers (clients or connections) issuing requests in a closed loop.</param>
/// <param name="ErrorsByKind">Failed requests by HTTP status ("503") or failure ("connection", "timeout").</param>
/// <param name="LatencyMs">Per operation ("batch", "single", "rank", "top", "around").</param>
/// <param name="GeneratorCpuSeconds">CPU the load generator itself used in the measured phase (it shares the machine).</param>
/// <param name="BackgroundIngest">The query scenario's paced background ingest, measured on its own.</param>
public sealed record RunSummary(
    string Scenario,
    string Url,
    string Board,
    DateTimeOffset StartedAt,
    double WarmupSeconds,
    double MeasuredSeconds,
    int Concurrency,
    long Requests,
    long Events,
    long Errors,
    IReadOnlyDictionary<string, long> ErrorsByKind,
    double RequestsPerSecond,
    double EventsPerSecond,
    IReadOnlyDictionary<string, LatencySummary> LatencyMs,
    IReadOnlyDictionary<string, string> Parameters,
    string Machine,
    double GeneratorCpuSeconds = 0,
    RunSummary? BackgroundIngest = null);

[JsonSourceGenerationOptions(System.Text.Json.JsonSerializerDefaults.Web, WriteIndented = true, DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(RunSummary))]
internal sealed partial class SummaryJsonContext : JsonSerializerContext;
