using Microsoft.AspNetCore.Authorization;
using Microsoft.Extensions.Options;

namespace EventLeaderboard.Server.Auth;

/// <summary>
/// One policy per role. <c>read</c> also admits anonymous callers when <c>Auth:AnonymousRead</c> is
/// true, but only callers that sent no key: an unknown or wrong key is still a 401 (the contract's
/// "missing or unknown key"), so a client with a typo in its key finds out.
/// </summary>
public sealed class RolePolicies(IOptions<AuthOptions> auth) : IConfigureOptions<AuthorizationOptions>
{
    public void Configure(AuthorizationOptions options)
    {
        var anonymousRead = auth.Value.AnonymousRead;
        options.AddPolicy(Roles.Read, p => p.RequireAssertion(c =>
            c.User.IsInRole(Roles.Read) || (anonymousRead && c.Resource is HttpContext http && SentNoKey(http.Request))));
        options.AddPolicy(Roles.Ingest, p => p.RequireRole(Roles.Ingest));
        options.AddPolicy(Roles.Admin, p => p.RequireRole(Roles.Admin));
    }

    static bool SentNoKey(HttpRequest request) =>
        !request.Headers.ContainsKey("Authorization") && !request.Headers.ContainsKey("X-Api-Key");
}

/// <summary>Refuses to start a non-Development node that has no API keys, rather than run it open.</summary>
public sealed class AuthConfigurationCheck(ApiKeyRegistry keys, IHostEnvironment environment) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken)
    {
        if (keys.Count == 0 && !environment.IsDevelopment())
            throw new InvalidOperationException(
                $"No API keys are configured (Auth:ApiKeys) and the environment is '{environment.EnvironmentName}'. " +
                "Configure at least one key, e.g. Auth__ApiKeys__0__Name, Auth__ApiKeys__0__Key and Auth__ApiKeys__0__Roles__0=admin; " +
                "the server does not run without authentication outside Development.");
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
