using Atlas.Dashboard.Options;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;

namespace Atlas.Dashboard.Apis;

/// <summary>The page's own settings, open to all (they hold nothing secret).</summary>
public static class DashboardConfigApi
{
    public const string Path = "/dashboard/config";

    public static IEndpointRouteBuilder MapDashboardConfigApi(this IEndpointRouteBuilder app)
    {
        app.MapGet(Path, GetConfig);
        return app;
    }

    public static Ok<DashboardConfigView> GetConfig(IOptions<DashboardOptions> options) =>
        TypedResults.Ok(new DashboardConfigView(options.Value.ClientId, string.IsNullOrEmpty(options.Value.TracesUrl) ? null : options.Value.TracesUrl));
}
