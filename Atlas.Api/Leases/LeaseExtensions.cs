using Atlas.Api.Leases;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Microsoft.Extensions.Hosting;

/// <summary>The shared job lease setting.</summary>
public static class LeaseExtensions
{
    /// <summary><see cref="LeaseOptions"/> from <c>Atlas:LeaseSeconds</c>, checked at start.</summary>
    public static TBuilder AddAtlasLease<TBuilder>(this TBuilder builder) where TBuilder : IHostApplicationBuilder
    {
        builder.Services.AddOptions<LeaseOptions>().BindConfiguration(LeaseOptions.Section).ValidateOnStart();
        builder.Services.AddSingleton<IValidateOptions<LeaseOptions>, LeaseOptionsValidator>();
        return builder;
    }
}
