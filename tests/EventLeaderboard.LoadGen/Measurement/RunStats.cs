using System.Globalization;
using System.Runtime.InteropServices;
using System.Text;

namespace EventLeaderboard.LoadGen.Measurement;

/// <summary>Merges the workers' recorders into a <see cref="RunSummary"/> and prints it.</summary>
public static class RunStats
{
    /// <summary>Builds the summary of a finished run.</summary>
    public static RunSummary Summarize(
        string scenario,
        Settings settings,
        DateTimeOffset startedAt,
        TimeSpan measured,
        TimeSpan generatorCpu,
        int concurrency,
        IEnumerable<WorkerRecorder> recorders,
        IReadOnlyDictionary<string, string> parameters)
    {
        var latency = new SortedDictionary<string, LatencyHistogram>(StringComparer.Ordinal);
        var errors = new SortedDictionary<string, long>(StringComparer.Ordinal);
        long requests = 0, events = 0;
        foreach (var recorder in recorders)
        {
            requests += recorder.Requests;
            events += recorder.Events;
            foreach (var (operation, histogram) in recorder.Latency)
            {
                if (!latency.TryGetValue(operation, out var merged))
                {
                    latency[operation] = merged = new LatencyHistogram();
                }

                merged.Add(histogram);
            }

            foreach (var (kind, count) in recorder.Errors)
            {
                errors[kind] = errors.GetValueOrDefault(kind) + count;
            }
        }

        var seconds = Math.Max(measured.TotalSeconds, 1e-9);
        return new RunSummary(
            scenario,
            settings.Url.ToString(),
            settings.Board,
            startedAt,
            settings.Warmup.TotalSeconds,
            Math.Round(measured.TotalSeconds, 3),
            concurrency,
            requests,
            events,
            errors.Values.Sum(),
            errors,
            Math.Round(requests / seconds, 1),
            Math.Round(events / seconds, 1),
            latency.ToDictionary(p => p.Key, p => ToMillis(p.Value), StringComparer.Ordinal),
            parameters,
            $"{Environment.ProcessorCount} cores, {RuntimeInformation.OSDescription}, {RuntimeInformation.FrameworkDescription}",
            Math.Round(generatorCpu.TotalSeconds, 2));
    }

    /// <summary>The summary as text for the console.</summary>
    public static string Format(RunSummary summary)
    {
        var c = CultureInfo.InvariantCulture;
        var text = new StringBuilder();
        text.AppendLine(c, $"== {summary.Scenario} against {summary.Url} board '{summary.Board}', {summary.Concurrency} concurrent, {summary.MeasuredSeconds:F1}s measured after {summary.WarmupSeconds:F0}s warm-up");
        AppendBody(text, summary, c);
        if (summary.GeneratorCpuSeconds > 0 && summary.MeasuredSeconds > 0)
        {
            text.AppendLine(c, $"generator CPU {summary.GeneratorCpuSeconds:F1} s = {summary.GeneratorCpuSeconds / summary.MeasuredSeconds:F2} cores busy out of {Environment.ProcessorCount} (taken from the server when on the same machine)");
        }

        if (summary.BackgroundIngest is { } background)
        {
            text.AppendLine(c, $"-- background ingest (paced, not closed-loop), {background.MeasuredSeconds:F1}s");
            AppendBody(text, background, c);
        }

        return text.ToString();
    }

    private static void AppendBody(StringBuilder text, RunSummary summary, CultureInfo c)
    {
        text.AppendLine(c, $"requests {summary.Requests:N0}  events {summary.Events:N0}  errors {summary.Errors:N0}");
        text.AppendLine(c, $"throughput {summary.RequestsPerSecond:N1} req/s  {summary.EventsPerSecond:N1} events/s");
        foreach (var (kind, count) in summary.ErrorsByKind)
        {
            text.AppendLine(c, $"  error {kind}: {count:N0}");
        }

        text.AppendLine("latency ms      count      mean       p50       p90       p99     p99.9       max");
        foreach (var (operation, l) in summary.LatencyMs)
        {
            text.AppendLine(c, $"{operation,-10} {l.Count,10:N0} {l.Mean,9:F2} {l.P50,9:F2} {l.P90,9:F2} {l.P99,9:F2} {l.P999,9:F2} {l.Max,9:F2}");
        }
    }

    private static LatencySummary ToMillis(LatencyHistogram h) => new(
        h.Count,
        Millis(h.Count == 0 ? 0 : h.SumMicros / (double)h.Count),
        Millis(h.ValueAtPercentile(50)),
        Millis(h.ValueAtPercentile(90)),
        Millis(h.ValueAtPercentile(99)),
        Millis(h.ValueAtPercentile(99.9)),
        Millis(h.MaxMicros));

    private static double Millis(double micros) => Math.Round(micros / 1000.0, 3);
}
