using Atlas.Api.Auth;
using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Protocols;
using Microsoft.IdentityModel.Protocols.OpenIdConnect;
using Microsoft.IdentityModel.Tokens;
using System.Security.Claims;

namespace Microsoft.Extensions.Hosting;

/// <summary>Token validation, the same in the gateway, the master and every worker.</summary>
public static class AuthExtensions
{
    /// <summary>Only asymmetric signatures: the algorithm a token names is never trusted beyond these (no <c>none</c>, no HS256 keyed with a public key).</summary>
    public static readonly IReadOnlyList<string> Algorithms =
        [SecurityAlgorithms.RsaSha256, SecurityAlgorithms.EcdsaSha256, SecurityAlgorithms.RsaSsaPssSha256];

    /// <summary>
    /// Binds and checks <c>Atlas:Auth</c> (a bad setting stops the service at start) and, when
    /// it is enabled, sets up bearer tokens checked against the provider's published keys.
    /// </summary>
    public static TBuilder AddAtlasAuth<TBuilder>(this TBuilder builder) where TBuilder : IHostApplicationBuilder
    {
        // Bound now, not lazily: whether there is token validation at all depends on it.
        var options = new AtlasAuthOptions();
        builder.Configuration.GetSection(AtlasAuthOptions.Section).Bind(options);
        var validation = new AtlasAuthOptionsValidator().Validate(null, options);
        if (validation.Failed)
        {
            throw new OptionsValidationException(AtlasAuthOptions.Section, typeof(AtlasAuthOptions), validation.Failures);
        }
        builder.Services.AddSingleton(Options.Options.Create(options));
        if (!options.Enabled)
        {
            return builder;
        }

        // No default scheme: only ApiAuthentication asks for a token, so /health and the rest never pay for it.
        builder.Services.AddAuthentication().AddJwtBearer(jwt =>
        {
            var authority = options.Authority!.TrimEnd('/');
            jwt.Authority = authority;
            jwt.MetadataAddress = authority + "/.well-known/openid-configuration";
            jwt.RequireHttpsMetadata = options.HttpsMetadataRequired;
            jwt.MapInboundClaims = false;
            jwt.IncludeErrorDetails = false;
            // A token signed with a key not seen yet makes the keys be read again (at most every
            // RefreshInterval), so a rotation at the provider is followed; keys are re-read on
            // their own every AutomaticRefreshInterval (the shortest allowed), so a key the provider
            // dropped stops working within that time. The "last known good" fallback is off: it
            // would keep accepting a dropped key for an hour after the keys were read again.
            jwt.RefreshOnIssuerKeyNotFound = true;
            jwt.ConfigurationManager = new ConfigurationManager<OpenIdConnectConfiguration>(
                jwt.MetadataAddress,
                new OpenIdConnectConfigurationRetriever(),
                new HttpDocumentRetriever(new HttpClient { Timeout = TimeSpan.FromSeconds(30), MaxResponseContentBufferSize = 1 << 20 })
                {
                    RequireHttps = jwt.RequireHttpsMetadata,
                })
            {
                RefreshInterval = TimeSpan.FromSeconds(10),
                AutomaticRefreshInterval = TimeSpan.FromMinutes(5),
                UseLastKnownGoodConfiguration = false,
            };
            jwt.TokenValidationParameters = new TokenValidationParameters
            {
                ValidateIssuer = true,
                ValidIssuers = options.Issuers,
                ValidateAudience = true,
                ValidAudience = options.Audience,
                ValidateLifetime = true,
                RequireExpirationTime = true,
                RequireSignedTokens = true,
                ValidAlgorithms = Algorithms,
                ClockSkew = TimeSpan.FromSeconds(options.ClockSkewSeconds),
                NameClaimType = "preferred_username",
                RoleClaimType = Caller.RoleClaimType,
            };
            jwt.Events = new JwtBearerEvents
            {
                OnTokenValidated = context =>
                {
                    // Owners are compared by sub: a token without one could own nothing and see nothing.
                    if (string.IsNullOrEmpty(context.Principal?.FindFirst("sub")?.Value))
                    {
                        context.Fail("The token has no sub claim.");
                        return Task.CompletedTask;
                    }
                    if (context.Principal?.Identity is ClaimsIdentity identity && context.SecurityToken is JsonWebToken token)
                    {
                        foreach (var claim in identity.FindAll(Caller.RoleClaimType).ToList())
                        {
                            identity.RemoveClaim(claim);
                        }
                        foreach (var role in RoleClaimReader.Read(token, options.RoleClaim))
                        {
                            identity.AddClaim(new Claim(Caller.RoleClaimType, role));
                        }
                    }
                    return Task.CompletedTask;
                },
                OnAuthenticationFailed = context =>
                {
                    var logger = context.HttpContext.RequestServices.GetRequiredService<ILoggerFactory>().CreateLogger(typeof(ApiAuthentication));
                    AuthLog.TokenRefused(logger, context.Request.Path, $"{context.Exception.GetType().Name}: {context.Exception.Message}");
                    return Task.CompletedTask;
                },
                OnChallenge = async context =>
                {
                    context.HandleResponse();
                    await AuthResponses.WriteUnauthorizedAsync(context.HttpContext);
                },
            };
        });
        return builder;
    }

    /// <summary>Asks every call but the open few (health, OpenAPI, auth config) for a valid token, when auth is on. Call it early, before anything that forwards or answers.</summary>
    public static IApplicationBuilder UseAtlasAuth(this IApplicationBuilder app)
    {
        if (app.ApplicationServices.GetRequiredService<IOptions<AtlasAuthOptions>>().Value.Enabled)
        {
            app.UseMiddleware<ApiAuthentication>();
        }
        return app;
    }
}
