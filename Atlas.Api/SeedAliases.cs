using Microsoft.Extensions.Configuration;

namespace Microsoft.Extensions.Hosting;

/// <summary>
/// Accepts the seed Atlas's variables (<c>REDIS_ADDRESS</c>, <c>HOST_ADDRESS</c>, <c>NUM_WORKERS</c>)
/// as aliases of the Aspire-style names, which win when both are set.
/// </summary>
public static class SeedAliases
{
    private static readonly (string Seed, string Key)[] Map =
    [
        ("REDIS_ADDRESS", "ConnectionStrings:redis"),
        ("HOST_ADDRESS", "Atlas:Worker:Address"),
        ("NUM_WORKERS", "Atlas:Worker:Slots"),
    ];

    public static IConfigurationBuilder AddSeedAliases(this IConfigurationManager configuration)
    {
        var values = new Dictionary<string, string?>();
        foreach (var (seed, key) in Map)
        {
            var value = configuration[seed];
            if (!string.IsNullOrWhiteSpace(value) && string.IsNullOrWhiteSpace(configuration[key]))
            {
                values[key] = key == "ConnectionStrings:redis" ? StripScheme(value) : value;
            }
        }
        return configuration.AddInMemoryCollection(values);
    }

    // The seed wrote redis://host:port; StackExchange.Redis wants host:port.
    private static string StripScheme(string value) =>
        value.StartsWith("redis://", StringComparison.OrdinalIgnoreCase) ? value["redis://".Length..] : value;
}
