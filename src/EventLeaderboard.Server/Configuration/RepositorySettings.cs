using Microsoft.Extensions.Configuration.Json;
using Microsoft.Extensions.FileProviders;

namespace EventLeaderboard.Server.Configuration;

public static class RepositorySettings
{
    /// <summary>
    /// The one configuration file lives at the repository root and is copied next to the binaries.
    /// It is read from there too, so the server finds it whatever the working directory, and it is
    /// inserted before the other JSON files so environment variables and the command line
    /// still override it.
    /// </summary>
    public static IConfigurationBuilder AddRepositorySettings(this IConfigurationBuilder configuration)
    {
        var source = new JsonConfigurationSource
        {
            Path = "appsettings.json",
            Optional = true,
            FileProvider = new PhysicalFileProvider(AppContext.BaseDirectory),
        };
        // Before the content root's own appsettings files, so a file in the working directory wins.
        configuration.Sources.Insert(FirstJson(configuration.Sources), source);
        return configuration;
    }

    static int FirstJson(IList<IConfigurationSource> sources)
    {
        for (var i = 0; i < sources.Count; i++)
            if (sources[i] is JsonConfigurationSource) return i;
        return 0;
    }
}
