using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Runtime.InteropServices;
using System.Security.Cryptography;
using Microsoft.Extensions.Logging;
using Npgsql;

namespace EventLeaderboard.Server.Infrastructure;

/// <summary>Where and how a private PostgreSQL runs.</summary>
/// <param name="DataDirectory">The cluster's folder; created by initdb when it holds no cluster yet.</param>
/// <param name="Port">TCP port on 127.0.0.1; 0 picks a free one at every start.</param>
/// <param name="Throwaway">A test cluster: durability settings relaxed for speed and the folder deleted on stop.</param>
public sealed record LocalPostgresOptions(string DataDirectory, int Port = 0, bool Throwaway = false);

/// <summary>
/// A private PostgreSQL started from the machine's own binaries (initdb/pg_ctl), so that one
/// command runs the service, and the tests, on a machine with no Docker engine and no database
/// set up. No library here does this (Testcontainers needs Docker), hence hand-written.
/// </summary>
/// <remarks>
/// PostgreSQL refuses to run as root. When this process is root (CI, containers) every
/// PostgreSQL binary runs as the <c>postgres</c> user that Debian's package creates, and the data
/// folder is handed to that user. A cluster left running by a process that was killed is found
/// through its <c>postmaster.pid</c> and adopted rather than started twice.
/// </remarks>
public sealed class LocalPostgres : IAsyncDisposable
{
    public const string DatabaseName = "eventleaderboard";
    const string SuperUser = "postgres";
    const string PasswordFileName = "leaderboard.password";

    readonly LocalPostgresOptions _options;
    readonly string _binDirectory;
    readonly ILogger? _logger;
    int _stopped;

    LocalPostgres(LocalPostgresOptions options, string binDirectory, int port, string password, ILogger? logger)
    {
        _options = options;
        _binDirectory = binDirectory;
        _logger = logger;
        Port = port;
        var builder = new NpgsqlConnectionStringBuilder
        {
            Host = "127.0.0.1",
            Port = port,
            Username = SuperUser,
            Password = password,
            Database = DatabaseName,
            MaxPoolSize = 200,
        };
        ConnectionString = builder.ConnectionString;
        builder.Database = "postgres";
        AdminConnectionString = builder.ConnectionString;
    }

    public int Port { get; }

    /// <summary>Connection string to the <c>eventleaderboard</c> database.</summary>
    public string ConnectionString { get; }

    /// <summary>Connection string to the <c>postgres</c> maintenance database (to create databases).</summary>
    public string AdminConnectionString { get; }

    public static async Task<LocalPostgres> StartAsync(LocalPostgresOptions options, ILogger? logger = null, CancellationToken ct = default)
    {
        var bin = FindBinDirectory();
        var dataDirectory = Path.GetFullPath(options.DataDirectory);
        options = options with { DataDirectory = dataDirectory };
        var asRoot = IsRoot();

        if (!File.Exists(Path.Combine(dataDirectory, "PG_VERSION")))
            await InitializeClusterAsync(bin, dataDirectory, asRoot, logger, ct);

        var password = (await File.ReadAllTextAsync(Path.Combine(dataDirectory, PasswordFileName), ct)).Trim();

        var port = RunningPort(dataDirectory, bin, asRoot);
        if (port is { } adopted)
        {
            logger?.LogWarning("Adopting the PostgreSQL already running on port {Port} from {DataDirectory} (left by an earlier process)", adopted, dataDirectory);
        }
        else
        {
            port = options.Port != 0 ? options.Port : FreePort();
            await StartClusterAsync(bin, dataDirectory, port.Value, options.Throwaway, asRoot, ct);
            logger?.LogInformation("Started private PostgreSQL on 127.0.0.1:{Port} with data in {DataDirectory}", port, dataDirectory);
        }

        var instance = new LocalPostgres(options, bin, port.Value, password, logger);
        await instance.EnsureDatabaseAsync(ct);
        return instance;
    }

    public async Task StopAsync()
    {
        if (Interlocked.Exchange(ref _stopped, 1) == 1) return;
        NpgsqlConnection.ClearAllPools();
        await RunAsync(Path.Combine(_binDirectory, "pg_ctl"), ["-D", _options.DataDirectory, "-m", "fast", "-w", "-t", "60", "stop"],
            IsRoot(), CancellationToken.None, throwOnFailure: false);
        _logger?.LogInformation("Stopped private PostgreSQL in {DataDirectory}", _options.DataDirectory);
        if (_options.Throwaway)
        {
            try { Directory.Delete(_options.DataDirectory, recursive: true); }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                _logger?.LogWarning("Could not delete {DataDirectory}: {Message}", _options.DataDirectory, e.Message);
            }
        }
    }

    public ValueTask DisposeAsync() => new(StopAsync());

    async Task EnsureDatabaseAsync(CancellationToken ct)
    {
        await using var connection = new NpgsqlConnection(AdminConnectionString);
        await connection.OpenAsync(ct);
        await using var exists = new NpgsqlCommand("select 1 from pg_database where datname = @name", connection);
        exists.Parameters.AddWithValue("name", DatabaseName);
        if (await exists.ExecuteScalarAsync(ct) is null)
        {
            await using var create = new NpgsqlCommand($"create database {DatabaseName}", connection);
            await create.ExecuteNonQueryAsync(ct);
        }
    }

    static async Task InitializeClusterAsync(string bin, string dataDirectory, bool asRoot, ILogger? logger, CancellationToken ct)
    {
        Directory.CreateDirectory(dataDirectory);
        if (Directory.EnumerateFileSystemEntries(dataDirectory).Any())
            throw new InvalidOperationException($"'{dataDirectory}' is not empty and holds no PostgreSQL cluster; move it away or point Storage:LocalDataDirectory elsewhere.");

        // The superuser gets a random password: the cluster listens on loopback only, but other
        // local users of the machine should not get into it.
        var password = Convert.ToHexString(RandomNumberGenerator.GetBytes(24));
        var passwordFile = Path.Combine(Path.GetTempPath(), $"el-pg-{Guid.NewGuid():N}.pw");
        // Owner-only from the first byte: the file sits in the shared temp folder until initdb has read it.
        var fileOptions = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write };
        if (!OperatingSystem.IsWindows()) fileOptions.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        await using (var file = new FileStream(passwordFile, fileOptions))
        await using (var writer = new StreamWriter(file))
            await writer.WriteAsync(password.AsMemory(), ct);
        try
        {
            if (asRoot)
            {
                await ChownToPostgresAsync(dataDirectory, ct);
                await ChownToPostgresAsync(passwordFile, ct);
            }
            logger?.LogInformation("Creating a private PostgreSQL cluster in {DataDirectory}", dataDirectory);
            await RunAsync(Path.Combine(bin, "initdb"),
                ["-D", dataDirectory, "-U", SuperUser, "--pwfile", passwordFile, "--auth-local=scram-sha-256", "--auth-host=scram-sha-256", "-E", "UTF8", "--locale=C.UTF-8"],
                asRoot, ct);
        }
        finally
        {
            File.Delete(passwordFile);
        }
        var stored = Path.Combine(dataDirectory, PasswordFileName);
        await File.WriteAllTextAsync(stored, password, ct);
        if (!OperatingSystem.IsWindows())
            File.SetUnixFileMode(stored, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        if (asRoot) await ChownToPostgresAsync(stored, ct);
    }

    static async Task StartClusterAsync(string bin, string dataDirectory, int port, bool throwaway, bool asRoot, CancellationToken ct)
    {
        // The socket goes into the data folder: /var/run/postgresql may not exist or be writable.
        var settings = $"-p {port} -c listen_addresses=127.0.0.1 -k {dataDirectory} -c max_connections=300";
        // A throwaway test cluster does not need to survive a power cut: tests kill the service, not PostgreSQL.
        if (throwaway) settings += " -c shared_buffers=256MB -c fsync=off -c synchronous_commit=off -c full_page_writes=off";
        else settings += $" -c shared_buffers={SharedBuffersMegabytes(GC.GetGCMemoryInfo().TotalAvailableMemoryBytes)}MB" + WriteHeavySettings(bin, dataDirectory);
        await RunAsync(Path.Combine(bin, "pg_ctl"),
            ["-D", dataDirectory, "-l", Path.Combine(dataDirectory, "server.log"), "-w", "-t", "60", "-o", settings, "start"],
            asRoot, ct);
    }

    /// <summary>
    /// A quarter of the memory this process may use (the machine's, or its container's limit), at
    /// least 256 MB and at most 2 GB: PostgreSQL's usual advice, capped at what was measured. The
    /// history index gets one insert per score at a random place; once it outgrows the buffers,
    /// nearly every insert evicts a dirty page, which the inserting backend writes itself. On a
    /// 10M-player board (a 426 MB index) 256 MB made the backends write 693,000 pages (5.4 GB) in a
    /// 30 s batch run; 2 GB made them write none, and batch ingest took 8-15% less CPU per score
    /// (docs/load-testing.md, "Fourth round"). PostgreSQL maps the buffers at start but the memory
    /// is only taken as pages are first used.
    /// </summary>
    internal static long SharedBuffersMegabytes(long availableMemoryBytes) =>
        Math.Clamp(availableMemoryBytes / 4 / (1024 * 1024), 256, 2048);

    /// <summary>
    /// Checkpoint settings for sustained ingest (the ones docs/operations.md recommends for any
    /// server). With the defaults (max_wal_size 1GB) 60-100k scores/s fill the WAL allowance so
    /// fast that checkpoints run back to back (5 a minute at 60k scores/s), and after each one the first change to every page
    /// writes the whole 8 KB page to the WAL again; the history index's inserts land on random
    /// pages, so nearly each of them paid that. Fewer checkpoints and compressed page images cut
    /// that cost; the price is a longer crash recovery (up to a few GB of WAL to replay) and the
    /// disk the WAL may take.
    /// </summary>
    static string WriteHeavySettings(string bin, string dataDirectory) =>
        $" -c max_wal_size=4GB -c checkpoint_timeout=15min -c wal_compression={(HasLz4(bin, dataDirectory) ? "lz4" : "on")}";

    /// <summary>
    /// Whether the server takes <c>wal_compression=lz4</c>: PostgreSQL 15 or later built with lz4
    /// (Debian's and the official images are); any other value of a setting it does not know stops
    /// it from starting, so when in doubt the built-in compression (<c>on</c>) is used.
    /// </summary>
    static bool HasLz4(string bin, string dataDirectory)
    {
        var versionFile = Path.Combine(dataDirectory, "PG_VERSION");
        if (!File.Exists(versionFile) || !int.TryParse(File.ReadAllText(versionFile).Trim(), out var major) || major < 15) return false;
        var pgConfig = Path.Combine(bin, "pg_config");
        if (!File.Exists(pgConfig)) return false;
        try
        {
            using var process = System.Diagnostics.Process.Start(new System.Diagnostics.ProcessStartInfo(pgConfig, "--configure")
            {
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                UseShellExecute = false,
            });
            if (process is null) return false;
            var configure = process.StandardOutput.ReadToEnd();
            process.WaitForExit();
            return process.ExitCode == 0 && configure.Contains("--with-lz4", StringComparison.Ordinal);
        }
        catch (System.ComponentModel.Win32Exception)
        {
            return false;
        }
    }

    /// <summary>The port of a cluster already running from this folder, if any (pg_ctl status says).</summary>
    static int? RunningPort(string dataDirectory, string bin, bool asRoot)
    {
        var pidFile = Path.Combine(dataDirectory, "postmaster.pid");
        if (!File.Exists(pidFile)) return null;
        var status = RunAsync(Path.Combine(bin, "pg_ctl"), ["-D", dataDirectory, "status"], asRoot, CancellationToken.None, throwOnFailure: false)
            .GetAwaiter().GetResult();
        if (status != 0) return null; // a stale pid file; pg_ctl start cleans it up
        // postmaster.pid: line 4 is the port (PostgreSQL's documented layout).
        var lines = File.ReadAllLines(pidFile);
        return lines.Length > 3 && int.TryParse(lines[3].Trim(), out var port) ? port : null;
    }

    static string FindBinDirectory()
    {
        foreach (var dir in (Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries))
        {
            var initdb = Path.Combine(dir, "initdb");
            if (File.Exists(initdb) && File.Exists(Path.Combine(dir, "pg_ctl")))
                return Path.GetDirectoryName(ResolveLinks(initdb))!;
        }
        const string debianRoot = "/usr/lib/postgresql";
        if (Directory.Exists(debianRoot))
        {
            var newest = Directory.GetDirectories(debianRoot)
                .Select(d => (dir: Path.Combine(d, "bin"), version: int.TryParse(Path.GetFileName(d), out var v) ? v : 0))
                .Where(x => File.Exists(Path.Combine(x.dir, "initdb")))
                .OrderByDescending(x => x.version)
                .Select(x => x.dir)
                .FirstOrDefault();
            if (newest is not null) return newest;
        }
        throw new InvalidOperationException(
            "No PostgreSQL binaries found (initdb, pg_ctl on PATH or under /usr/lib/postgresql/*/bin). " +
            "Install PostgreSQL (Debian: apt-get install postgresql) or set ConnectionStrings:Postgres.");
    }

    static string ResolveLinks(string path) =>
        new FileInfo(path).ResolveLinkTarget(returnFinalTarget: true)?.FullName ?? path;

    static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    static Task ChownToPostgresAsync(string path, CancellationToken ct) =>
        RunAsync("chown", ["-R", $"{SuperUser}:{SuperUser}", path], asRoot: false, ct);

    static async Task<int> RunAsync(string file, string[] arguments, bool asRoot, CancellationToken ct, bool throwOnFailure = true)
    {
        var start = new ProcessStartInfo
        {
            FileName = asRoot ? "runuser" : file,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            // The data folder may sit under a directory the postgres user cannot list; run from /.
            WorkingDirectory = "/",
        };
        if (asRoot)
        {
            foreach (var a in new[] { "-u", SuperUser, "--", file }) start.ArgumentList.Add(a);
        }
        foreach (var a in arguments) start.ArgumentList.Add(a);

        using var process = Process.Start(start) ?? throw new InvalidOperationException($"Could not start {file}");
        // pg_ctl start leaves the server holding inherited pipes open; read to end only what we need.
        var stderr = process.StandardError.ReadToEndAsync(ct);
        var stdout = process.StandardOutput.ReadToEndAsync(ct);
        await process.WaitForExitAsync(ct);
        if (process.ExitCode != 0 && throwOnFailure)
            throw new InvalidOperationException($"{Path.GetFileName(file)} failed ({process.ExitCode}): {await stderr}{await stdout}");
        return process.ExitCode;
    }

    static bool IsRoot() => !OperatingSystem.IsWindows() && geteuid() == 0;

    [DllImport("libc", SetLastError = false)]
#pragma warning disable SYSLIB1054 // a one-off call at start-up; LibraryImport would need unsafe code in this project
    static extern uint geteuid();
#pragma warning restore SYSLIB1054
}
