namespace EventLeaderboard.Client;

/// <summary>Settings of <see cref="LeaderboardClient"/>.</summary>
public sealed class LeaderboardClientOptions
{
    /// <summary>
    /// Root of the service, e.g. <c>http://127.0.0.1:5080/</c>. When null the <see cref="HttpClient.BaseAddress"/>
    /// of the client's HttpClient is used. A path prefix is kept (a missing trailing slash is added).
    /// </summary>
    public Uri? BaseAddress { get; set; }

    /// <summary>API key sent as <c>Authorization: Bearer &lt;key&gt;</c>; null sends no credentials (anonymous reads).</summary>
    public string? ApiKey { get; set; }

    /// <summary>
    /// When true (the default), a submission without a <c>submissionId</c> gets a fresh one (a UUIDv7 in hex)
    /// before the first attempt, so a retry after a lost answer is recognised as a duplicate instead of
    /// being applied twice. Turn off only when duplicates are harmless (e.g. <c>best</c> boards in a benchmark).
    /// </summary>
    public bool GenerateSubmissionIds { get; set; } = true;

    /// <summary>Source of generated submission ids; tests replace it to make ids predictable.</summary>
    public Func<string> SubmissionIdFactory { get; set; } = static () => Guid.CreateVersion7().ToString("N");

    /// <summary>Clock used to turn an HTTP-date Retry-After into a delay.</summary>
    public TimeProvider TimeProvider { get; set; } = TimeProvider.System;
}
