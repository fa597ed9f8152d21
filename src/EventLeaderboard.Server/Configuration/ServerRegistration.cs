using EventLeaderboard.Server.Auth;
using EventLeaderboard.Server.Dashboard;
using EventLeaderboard.Server.Features;
using EventLeaderboard.Server.History;
using EventLeaderboard.Server.Http;
using EventLeaderboard.Server.Ingest;
using EventLeaderboard.Server.Observability;
using EventLeaderboard.Server.OpenApi;
using EventLeaderboard.Server.Projection;
using EventLeaderboard.Server.RateLimiting;
using EventLeaderboard.Server.Snapshots;
using EventLeaderboard.Server.Subscriptions;
using FluentValidation;
using JasperFx;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authorization;
using Microsoft.Extensions.Options;
using Wolverine;
using Wolverine.Http;

namespace EventLeaderboard.Server.Configuration;

public static class ServerRegistration
{
    /// <summary>Everything the node needs: options, event store, projection, writer, auth, validation, Wolverine HTTP.</summary>
    public static WebApplicationBuilder AddLeaderboardServer(this WebApplicationBuilder builder)
    {
        var services = builder.Services;
        var configuration = builder.Configuration;
        services.Configure<IngestOptions>(configuration.GetSection("Ingest"));
        services.Configure<StorageOptions>(configuration.GetSection("Storage"));
        services.Configure<HttpLimitsOptions>(configuration.GetSection("Http"));
        services.Configure<AuthOptions>(configuration.GetSection("Auth"));

        builder.WebHost.ConfigureKestrel((context, kestrel) =>
            kestrel.Limits.MaxRequestBodySize = context.Configuration.GetSection("Http").Get<HttpLimitsOptions>()?.MaxRequestBodyBytes
                ?? new HttpLimitsOptions().MaxRequestBodyBytes);

        services.AddHostedService<AuthConfigurationCheck>();
        services.AddEventStore();
        services.AddSingleton<LeaderboardProjection>();
        services.AddSingleton<LogFollower>();
        services.AddHostedService(sp => sp.GetRequiredService<LogFollower>());
        services.AddSnapshots(configuration);
        services.AddSingleton<GroupCommitWriter>();
        services.AddHostedService(sp => sp.GetRequiredService<GroupCommitWriter>());
        services.AddSingleton<ScoreIngest>();
        services.AddSingleton<RequestBody>();
        services.AddSingleton<ReadGate>();
        services.AddSubscriptions(configuration);
        services.AddPlayerHistory(configuration);

        services.AddValidators();
        services.AddApiKeyAuth();
        services.AddProblemDetails();
        services.AddLeaderboardOpenApi();
        builder.AddLeaderboardObservability();
        services.AddLeaderboardRateLimiting(configuration);

        builder.Host.ApplyJasperFxExtensions();
        builder.Host.UseWolverine(opts =>
        {
            // Wolverine serves the HTTP endpoints only; the group-commit writer owns appends, so no
            // inbox/outbox or node agents.
            opts.Durability.Mode = DurabilityMode.MediatorOnly;
            opts.UseRuntimeCompilation();
            // The endpoints' and handlers' code is generated ahead (Internal/Generated, written by
            // `dotnet run --project src/EventLeaderboard.Server -- codegen write` and committed): compiling
            // it with Roslyn at run time made the first request after every start take 2.8 s, on the
            // cores a 10M-player restore needed (0.26 s with the committed code). Auto compiles at run time only what has
            // no generated file; a file is matched by name alone, so after changing an endpoint or
            // handler regenerate the files: scripts/test.sh fails while they differ from what the code generates.
            opts.CodeGeneration.TypeLoadMode = JasperFx.CodeGeneration.TypeLoadMode.Auto;
        });
        services.AddWolverineHttp();
        return builder;
    }

    public static WebApplication UseLeaderboardServer(this WebApplication app)
    {
        app.UseLeaderboardRequestIds();
        app.UseExceptionHandler();
        app.UseStatusCodePages();
        app.UseLeaderboardDashboard();
        app.UseApiKeyAuthentication();
        app.UseRoleAuthorization();
        app.UseLeaderboardRateLimiting();
        app.MapWolverineEndpoints();
        app.MapLeaderboardOpenApi();
        app.MapLeaderboardMetrics();
        return app;
    }

    /// <summary>
    /// <see cref="ApiKeyAuthenticationMiddleware"/> in place of <c>UseAuthentication()</c> (see there why).
    /// WebApplication adds <c>UseAuthentication()</c> by itself when authentication services exist and
    /// the pipeline did not call it; it checks this property, which <c>UseAuthentication()</c> sets.
    /// </summary>
    static void UseApiKeyAuthentication(this WebApplication app)
    {
        app.UseMiddleware<ApiKeyAuthenticationMiddleware>();
        ((IApplicationBuilder)app).Properties["__AuthenticationMiddlewareSet"] = true;
    }

    /// <summary>
    /// <see cref="RoleAuthorizationMiddleware"/> in place of <c>UseAuthorization()</c> (see there why);
    /// the property stops WebApplication from adding <c>UseAuthorization()</c> by itself, as above.
    /// </summary>
    static void UseRoleAuthorization(this WebApplication app)
    {
        app.UseMiddleware<RoleAuthorizationMiddleware>();
        ((IApplicationBuilder)app).Properties["__AuthorizationMiddlewareSet"] = true;
    }

    /// <summary>Validators are registered explicitly: Wolverine does not resolve unregistered services.</summary>
    static void AddValidators(this IServiceCollection services)
    {
        Validation.UseCamelCasePropertyNames();
        services.AddSingleton<IValidator<SubmitScore>, SubmitScore.Validator>();
        services.AddSingleton<IValidator<SubmitScoreBatch>, SubmitScoreBatch.Validator>();
        services.AddSingleton<IValidator<DefineBoard>, DefineBoard.Validator>();
        services.AddSingleton<IValidator<LookupPlayers>, LookupPlayers.Validator>();
        services.AddSingleton<IValidator<BoardQuery>, BoardQuery.Validator>();
        services.AddSingleton<IValidator<TopQuery>, TopQuery.Validator>();
        services.AddSingleton<IValidator<AroundQuery>, AroundQuery.Validator>();
        services.AddSingleton<IValidator<RangeQuery>, RangeQuery.Validator>();
    }

    static void AddApiKeyAuth(this IServiceCollection services)
    {
        services.AddSingleton<ApiKeyRegistry>();
        services.AddAuthentication(ApiKeyAuthenticationHandler.SchemeName)
            .AddScheme<AuthenticationSchemeOptions, ApiKeyAuthenticationHandler>(ApiKeyAuthenticationHandler.SchemeName, null);
        services.AddAuthorization();
        services.AddSingleton<IConfigureOptions<AuthorizationOptions>, RolePolicies>();
    }
}
