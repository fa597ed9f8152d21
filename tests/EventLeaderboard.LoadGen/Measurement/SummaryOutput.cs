using System.Text.Json;

namespace EventLeaderboard.LoadGen.Measurement;

/// <summary>Prints the summary and writes it as JSON when asked.</summary>
public static class SummaryOutput
{
    /// <summary>Not cancellable: a run stopped with Ctrl+C still reports what it measured. Returns the process exit code: 0 when at least one request succeeded and none failed, else 1.</summary>
    public static async Task<int> WriteAsync(RunSummary summary, Settings settings)
    {
        Console.WriteLine();
        Console.Write(RunStats.Format(summary));
        if (settings.JsonOut is { } path)
        {
            var file = File.Create(path);
            await using (file.ConfigureAwait(false))
            {
                await JsonSerializer.SerializeAsync(file, summary, SummaryJsonContext.Default.RunSummary).ConfigureAwait(false);
            }

            Console.WriteLine($"summary written to {Path.GetFullPath(path)}");
        }

        return summary.Errors == 0 && summary.Requests > 0 ? 0 : 1;
    }
}
