namespace EventLeaderboard.Server.Configuration;

/// <summary>Request limits (section <c>Http</c>).</summary>
public sealed class HttpLimitsOptions
{
    /// <summary>Largest accepted request body; larger ones get 413. A batch of 1000 scores with small metadata fits.</summary>
    public long MaxRequestBodyBytes { get; set; } = 1024 * 1024;
}
