using EventLeaderboard.Client.Contracts;

namespace EventLeaderboard.LoadGen;

/// <summary>Options every scenario shares.</summary>
/// <param name="Url">Service root; loopback only unless <paramref name="AllowRemote"/>.</param>
/// <param name="Duration">Measured phase; every run stops by itself after warm-up + duration.</param>
/// <param name="Warmup">Load is applied but not recorded (JIT, connection pool, server caches).</param>
/// <param name="Seed">Seeds every random choice (players, scores) so runs are repeatable.</param>
/// <param name="Players">Player ids are <c>p0</c> .. <c>p{Players-1}</c> in every scenario, so query runs find what seed wrote.</param>
/// <param name="SubmissionIds">Let the client generate a submission id per score (the realistic path, costs the server a dedupe lookup).</param>
public sealed record Settings(
    Uri Url,
    string Key,
    string Board,
    TimeSpan Duration,
    TimeSpan Warmup,
    int Seed,
    long Players,
    string? JsonOut,
    bool AllowRemote,
    bool SubmissionIds,
    SortOrder SortOrder,
    UpdatePolicy UpdatePolicy);
