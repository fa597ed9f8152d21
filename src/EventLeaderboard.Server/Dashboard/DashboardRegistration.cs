using Microsoft.Extensions.FileProviders;

namespace EventLeaderboard.Server.Dashboard;

/// <summary>
/// Serves the dashboard (wwwroot: index.html, dashboard.js, dashboard.css) at <c>/</c>. The files
/// are public; the page calls the API with the key the user enters, so it shows nothing the key
/// could not read anyway.
/// </summary>
public static class DashboardRegistration
{
    /// <summary>Before authentication: static files need no key and must not cost one.</summary>
    public static WebApplication UseLeaderboardDashboard(this WebApplication app)
    {
        var files = FilesOf(app.Environment);
        if (files is null)
        {
            app.Logger.LogWarning("No wwwroot/index.html found; the dashboard is not served");
            return app;
        }
        app.UseDefaultFiles(new DefaultFilesOptions { FileProvider = files });
        app.UseStaticFiles(new StaticFileOptions
        {
            FileProvider = files,
            // The page is small and changes with the server; always revalidate so an upgrade shows at once.
            OnPrepareResponse = context => context.Context.Response.Headers.CacheControl = "no-cache",
        });
        return app;
    }

    /// <summary>
    /// The content root's wwwroot (dotnet run, tests, published output), else the copy next to the
    /// assembly (the build output run from another directory).
    /// </summary>
    static IFileProvider? FilesOf(IWebHostEnvironment environment)
    {
        if (environment.WebRootFileProvider.GetFileInfo("index.html").Exists) return environment.WebRootFileProvider;
        var besideAssembly = Path.Combine(AppContext.BaseDirectory, "wwwroot");
        return File.Exists(Path.Combine(besideAssembly, "index.html")) ? new PhysicalFileProvider(besideAssembly) : null;
    }
}
