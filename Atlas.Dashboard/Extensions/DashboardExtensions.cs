using Atlas.Dashboard.Options;
using Atlas.Dashboard.Proxy;
using Microsoft.Extensions.FileProviders;
using Microsoft.Extensions.Options;
using Microsoft.Net.Http.Headers;

namespace Microsoft.Extensions.Hosting;

/// <summary>Everything the dashboard registers: its options, the /api proxy and the bundled front end.</summary>
public static class DashboardExtensions
{
    /// <summary>The bundle, next to the binary (built by the project's FrontendBuild target).</summary>
    public static string FrontendRoot => Path.Combine(AppContext.BaseDirectory, "ui");

    public static IHostApplicationBuilder AddDashboardServices(this IHostApplicationBuilder builder)
    {
        // Bound now, not lazily: the proxy's cluster is built from it.
        var options = new DashboardOptions();
        builder.Configuration.GetSection(DashboardOptions.Section).Bind(options);
        var validation = new DashboardOptionsValidator(builder.Configuration).Validate(null, options);
        if (validation.Failed)
        {
            throw new OptionsValidationException(DashboardOptions.Section, typeof(DashboardOptions), validation.Failures);
        }
        if (!File.Exists(Path.Combine(FrontendRoot, "index.html")))
        {
            throw new InvalidOperationException($"The front end is not built: {FrontendRoot}/index.html is missing (dotnet build Atlas.Dashboard runs npm ci and the bundler).");
        }
        builder.Services.AddSingleton(Microsoft.Extensions.Options.Options.Create(options));
        builder.Services.AddProblemDetails();
        builder.Services.AddReverseProxy()
            .LoadFromMemory(GatewayRoutes.Routes(), GatewayRoutes.Clusters(options))
            .AddServiceDiscoveryDestinationResolver();
        return builder;
    }

    /// <summary>Serves the bundle; index.html is never cached so a new build shows at once.</summary>
    public static WebApplication UseDashboardFrontend(this WebApplication app)
    {
        var files = new PhysicalFileProvider(FrontendRoot);
        app.UseDefaultFiles(new DefaultFilesOptions { FileProvider = files });
        app.UseStaticFiles(new StaticFileOptions
        {
            FileProvider = files,
            OnPrepareResponse = ctx =>
            {
                ctx.Context.Response.Headers[HeaderNames.CacheControl] = "no-cache";
                ctx.Context.Response.Headers[HeaderNames.XContentTypeOptions] = "nosniff";
                ctx.Context.Response.Headers["Content-Security-Policy"] =
                    "default-src 'self'; connect-src *; img-src 'self' data: blob:; style-src 'self' 'unsafe-inline'; form-action *; frame-ancestors 'none'";
            },
        });
        return app;
    }
}
