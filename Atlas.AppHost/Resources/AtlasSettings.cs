using Microsoft.Extensions.Configuration;

namespace Atlas.AppHost.Resources;

/// <summary>
/// Hands the AppHost's own <c>Atlas</c> settings (its environment's <c>Atlas__*</c> variables, its
/// appsettings, or configuration a test host adds) to a service as <c>Atlas__*</c> variables, so a
/// setting such as <c>Atlas__Worker__Docker__DefaultImage</c> reaches the processes DCP starts.
/// Read when the service starts; the model's own variables, added after this, win.
/// </summary>
internal static class AtlasSettings
{
    public const string Section = "Atlas";

    public static IResourceBuilder<T> WithAtlasSettings<T>(this IResourceBuilder<T> service, IConfiguration configuration)
        where T : IResourceWithEnvironment =>
        service.WithEnvironment(context =>
        {
            foreach (var (key, value) in configuration.GetSection(Section).AsEnumerable())
            {
                if (value is not null)
                {
                    context.EnvironmentVariables[key.Replace(":", "__", StringComparison.Ordinal)] = value;
                }
            }
        });
}
