using Atlas.Api.Auth;
using Microsoft.AspNetCore.OpenApi;
using Microsoft.Extensions.Options;
using Microsoft.OpenApi;

namespace Atlas.Master.Apis;

/// <summary>
/// With auth on, the OpenAPI document says that every operation takes an OpenID Connect bearer
/// token (the provider's discovery URL included), so generated clients and API explorers send it.
/// In single-user mode the document is left as it is.
/// </summary>
internal sealed class BearerSecurityTransformer(IOptions<AtlasAuthOptions> auth) : IOpenApiDocumentTransformer
{
    private const string SchemeId = "bearer";

    public Task TransformAsync(OpenApiDocument document, OpenApiDocumentTransformerContext context, CancellationToken cancellationToken)
    {
        var options = auth.Value;
        if (!options.Enabled)
        {
            return Task.CompletedTask;
        }
        document.Components ??= new OpenApiComponents();
        document.Components.SecuritySchemes ??= new Dictionary<string, IOpenApiSecurityScheme>();
        document.Components.SecuritySchemes[SchemeId] = new OpenApiSecurityScheme
        {
            Type = SecuritySchemeType.Http,
            Scheme = "bearer",
            BearerFormat = "JWT",
            Description = $"An access token from {options.Authority} with audience {options.Audience}.",
        };
        document.Security ??= [];
        document.Security.Add(new OpenApiSecurityRequirement { [new OpenApiSecuritySchemeReference(SchemeId, document)] = [] });
        return Task.CompletedTask;
    }
}
