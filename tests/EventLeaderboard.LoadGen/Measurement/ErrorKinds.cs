using System.Net.Sockets;
using System.Text.Json;
using EventLeaderboard.Client.Problems;

namespace EventLeaderboard.LoadGen.Measurement;

/// <summary>Names a failed request for the errors-by-kind table.</summary>
public static class ErrorKinds
{
    /// <summary>The server could not be reached; workers back off briefly so a dead server is not a busy loop.</summary>
    public const string Connection = "connection";

    /// <summary>"503", "connection", "timeout", "bad-json", or the exception type.</summary>
    public static string Of(Exception error) => error switch
    {
        LeaderboardProblemException problem => ((int)problem.Status).ToString(System.Globalization.CultureInfo.InvariantCulture),
        HttpRequestException { InnerException: SocketException } => Connection,
        HttpRequestException => "http",
        TaskCanceledException { InnerException: TimeoutException } => "timeout",
        JsonException => "bad-json",
        _ => error.GetType().Name,
    };
}
