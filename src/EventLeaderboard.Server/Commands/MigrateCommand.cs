using EventLeaderboard.Server.Schema;
using JasperFx.CommandLine;

namespace EventLeaderboard.Server.Commands;

[Description("Applies the scripts of migrations/ that the configured database has not recorded yet", Name = "migrate")]
public sealed class MigrateCommand : JasperFxAsyncCommand<NetCoreInput>
{
    public override async Task<bool> Execute(NetCoreInput input)
    {
        using var host = input.BuildHost();
        var applied = await host.Services.GetRequiredService<Migrator>().ApplyAsync(CancellationToken.None);
        Console.WriteLine(applied.Count == 0 ? "The database is up to date." : $"Applied {string.Join(", ", applied)}.");
        return true;
    }
}
