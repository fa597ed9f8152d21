using EventLeaderboard.Server.Configuration;
using EventLeaderboard.Server.Auth;
using Npgsql;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;

namespace EventLeaderboard.Server.Observability;

/// <summary>OpenTelemetry metrics (Prometheus at <c>/metrics</c>) and traces, the gauges, and request ids.</summary>
public static class ObservabilityRegistration
{
    /// <summary>Meters and activity sources recorded besides ASP.NET Core's and the runtime's; wildcards as OpenTelemetry reads them.</summary>
    static readonly string[] Meters = [LeaderboardMetrics.MeterName, "Npgsql", "Marten*", "Wolverine*"];
    static readonly string[] Sources = ["Marten*", "Wolverine*"];

    public static WebApplicationBuilder AddLeaderboardObservability(this WebApplicationBuilder builder)
    {
        var services = builder.Services;
        var section = builder.Configuration.GetSection("Observability");
        services.Configure<ObservabilityOptions>(section);
        var options = section.Get<ObservabilityOptions>() ?? new ObservabilityOptions();

        services.AddSingleton<MetricsSampler>();
        services.AddHostedService(sp => sp.GetRequiredService<MetricsSampler>());
        services.AddSingleton<LeaderboardGauges>();

        var node = NodeName.Of(builder.Configuration);
        var telemetry = services.AddOpenTelemetry()
            .ConfigureResource(r => r.AddService("event-leaderboard", serviceInstanceId: node))
            .WithMetrics(metrics => metrics
                .AddAspNetCoreInstrumentation()
                .AddRuntimeInstrumentation()
                .AddMeter(Meters)
                .AddPrometheusExporter());
        // Traces only when they go somewhere: with no exporter, the listener still made ASP.NET Core
        // create, tag and record an Activity for every request (and Wolverine tag it) for nothing.
        if (!string.IsNullOrEmpty(options.OtlpEndpoint))
            telemetry.WithTracing(tracing => tracing
                .AddAspNetCoreInstrumentation(o => o.Filter = context => !IsScrapeOrProbe(context.Request.Path))
                .AddNpgsql()
                .AddSource(Sources)
                .AddOtlpExporter(o => o.Endpoint = new Uri(options.OtlpEndpoint)));
        return builder;
    }

    /// <summary>Request ids first, so every later log line and problem document carries them.</summary>
    public static WebApplication UseLeaderboardRequestIds(this WebApplication app)
    {
        app.UseMiddleware<RequestIdMiddleware>();
        // Resolving the gauges registers their callbacks with the meter.
        app.Services.GetRequiredService<LeaderboardGauges>();
        return app;
    }

    /// <summary><c>/metrics</c> in Prometheus text format: anonymous, or for <c>read</c> keys when <c>Observability:MetricsAnonymous</c> is false.</summary>
    public static WebApplication MapLeaderboardMetrics(this WebApplication app)
    {
        var anonymous = app.Configuration.GetSection("Observability").Get<ObservabilityOptions>()?.MetricsAnonymous ?? true;
        var endpoint = app.MapPrometheusScrapingEndpoint("/metrics");
        if (anonymous) endpoint.AllowAnonymous();
        else endpoint.RequireAuthorization(Roles.Read);
        return app;
    }

    static bool IsScrapeOrProbe(PathString path) =>
        path.StartsWithSegments("/metrics") || path.StartsWithSegments("/health");
}
