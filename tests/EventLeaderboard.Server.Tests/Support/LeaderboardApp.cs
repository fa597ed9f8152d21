using System.Net.Http.Headers;
using EventLeaderboard.Server.Tests.Infrastructure;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Npgsql;

namespace EventLeaderboard.Server.Tests.Support;

/// <summary>
/// One node of the service hosted in-process on a given database, with three keys: admin, ingest and read.
/// Several nodes may share one database (cluster and restart tests).
/// </summary>
public sealed class LeaderboardApp : WebApplicationFactory<Program>
{
    public const string AdminKey = "test-admin-key";
    public const string IngestKey = "test-ingest-key";
    public const string ReadKey = "test-read-key";

    readonly Dictionary<string, string?> _settings;

    static LeaderboardApp()
    {
        // Program ends in RunJasperFxCommands; this makes it start the host that WebApplicationFactory intercepts.
        JasperFx.CommandLine.JasperFxEnvironment.AutoStartHost = true;
    }

    /// <param name="withKeys">False configures no API keys at all.</param>
    public LeaderboardApp(string connectionString, IDictionary<string, string?>? settings = null, string nodeName = "node-a", bool withKeys = true)
    {
        ConnectionString = connectionString;
        _settings = new Dictionary<string, string?>
        {
            ["ConnectionStrings:Postgres"] = connectionString,
            ["Node:Name"] = nodeName,
        };
        if (withKeys) AddKeys(_settings);
        foreach (var (key, value) in settings ?? new Dictionary<string, string?>()) _settings[key] = value;
    }

    static void AddKeys(Dictionary<string, string?> settings)
    {
        foreach (var (key, value) in new Dictionary<string, string?>
        {
            ["Auth:ApiKeys:0:Name"] = "admin",
            ["Auth:ApiKeys:0:Key"] = AdminKey,
            ["Auth:ApiKeys:0:Roles:0"] = "admin",
            ["Auth:ApiKeys:1:Name"] = "game-server",
            ["Auth:ApiKeys:1:Key"] = IngestKey,
            ["Auth:ApiKeys:1:Roles:0"] = "ingest",
            ["Auth:ApiKeys:2:Name"] = "website",
            // Stored as a hash to cover KeySha256.
            ["Auth:ApiKeys:2:KeySha256"] = Convert.ToHexString(System.Security.Cryptography.SHA256.HashData("test-read-key"u8)),
            ["Auth:ApiKeys:2:Roles:0"] = "read",
        })
        {
            settings[key] = value;
        }
    }

    public string ConnectionString { get; }

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        // Not Development: the documented development key must not work here.
        builder.UseEnvironment("Testing");
        foreach (var (key, value) in _settings) builder.UseSetting(key, value);
    }

    /// <summary>A client sending the given key as a bearer token (no key when null).</summary>
    public HttpClient ClientWith(string? key)
    {
        var client = CreateClient();
        if (key is not null) client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", key);
        return client;
    }

    /// <summary>Starts the node and waits until its projection has caught up with the log.</summary>
    public async Task<LeaderboardApp> StartAsync()
    {
        var client = CreateClient();
        for (var attempt = 0; attempt < 600; attempt++)
        {
            var response = await client.GetAsync("/health/ready");
            if (response.IsSuccessStatusCode) return this;
            await Task.Delay(50);
        }
        throw new TimeoutException("The node did not become ready.");
    }

    /// <summary>Number of events in the log (to check that rejected requests append nothing).</summary>
    public async Task<long> EventCountAsync()
    {
        await using var connection = new NpgsqlConnection(ConnectionString);
        await connection.OpenAsync();
        await using var cmd = new NpgsqlCommand("select count(*) from leaderboard.mt_events", connection);
        return (long)(await cmd.ExecuteScalarAsync())!;
    }

    /// <summary>How many score items in the log carry <paramref name="submissionId"/> on <paramref name="boardId"/>.</summary>
    public async Task<long> LoggedSubmissionsAsync(string boardId, string submissionId)
    {
        await using var connection = new NpgsqlConnection(ConnectionString);
        await connection.OpenAsync();
        await using var cmd = new NpgsqlCommand(
            "select count(*) from leaderboard.mt_events e, jsonb_array_elements(e.data -> 'items') i " +
            "where e.type = 'scores_submitted' and i ->> 'b' = @b and i ->> 's' = @s", connection);
        cmd.Parameters.AddWithValue("b", boardId);
        cmd.Parameters.AddWithValue("s", submissionId);
        return (long)(await cmd.ExecuteScalarAsync())!;
    }
}

/// <summary>One database and one started node per test class.</summary>
public sealed class AppFixture : IAsyncLifetime
{
    LeaderboardApp? _app;

    public LeaderboardApp App => _app ?? throw new InvalidOperationException("Not started.");

    public async Task InitializeAsync() => _app = await new LeaderboardApp(await TestDatabase.CreateDatabaseAsync()).StartAsync();

    public async Task DisposeAsync()
    {
        if (_app is not null) await _app.DisposeAsync();
    }
}
