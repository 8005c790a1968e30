using Atlas.Gateway.Options;
using Atlas.Gateway.Routing;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.Options;

namespace Microsoft.Extensions.Hosting;

/// <summary>Everything the gateway registers.</summary>
public static class GatewayExtensions
{
    public static IHostApplicationBuilder AddGatewayServices(this IHostApplicationBuilder builder)
    {
        // Bound now, not lazily: the proxy's cluster is built from it.
        var options = new GatewayOptions();
        builder.Configuration.GetSection(GatewayOptions.Section).Bind(options);
        var validation = new GatewayOptionsValidator(builder.Configuration).Validate(null, options);
        if (validation.Failed)
        {
            throw new OptionsValidationException(GatewayOptions.Section, typeof(GatewayOptions), validation.Failures);
        }
        builder.Services.AddSingleton(Microsoft.Extensions.Options.Options.Create(options));

        builder.Services.AddReverseProxy()
            .LoadFromMemory(MasterRoutes.Routes(), MasterRoutes.Clusters(options))
            .AddServiceDiscoveryDestinationResolver();
        builder.Services.AddSingleton<Yarp.ReverseProxy.LoadBalancing.ILoadBalancingPolicy, FirstInOrderPolicy>();
        builder.Services.AddHttpForwarder();
        // Uploads pass through; the master enforces the bundle limit with a 413 that says so.
        builder.Services.Configure<KestrelServerOptions>(o => o.Limits.MaxRequestBodySize = null);
        return builder;
    }
}
