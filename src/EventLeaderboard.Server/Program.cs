using EventLeaderboard.Server.Configuration;
using JasperFx;

var builder = WebApplication.CreateBuilder(args);
builder.Configuration.AddRepositorySettings();
builder.AddLeaderboardServer();

// Disposed on every path: commands that only build the host (`help`, a mistyped command) return
// without running it, and the private PostgreSQL that building it started stops with the container.
await using var app = builder.Build();
app.UseLeaderboardServer();
return await app.RunJasperFxCommands(args);

public partial class Program;
