using EventLeaderboard.Server.Configuration;
using JasperFx;

var builder = WebApplication.CreateBuilder(args);
builder.Configuration.AddRepositorySettings();
builder.AddLeaderboardServer();

var app = builder.Build();
app.UseLeaderboardServer();
return await app.RunJasperFxCommands(args);

public partial class Program;
