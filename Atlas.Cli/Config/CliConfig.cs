using YamlDotNet.Serialization;
using YamlDotNet.Serialization.NamingConventions;

namespace Atlas.Cli.Config;

/// <summary>
/// <c>~/.atlas/config.yaml</c>: named contexts, each a gateway URL (<c>scheduler_url</c>, as in
/// the seed's <c>remote.config.yaml</c>), and the current one.
/// </summary>
public sealed class CliConfig
{
    [YamlMember(Alias = "current-context", ApplyNamingConventions = false)]
    public string? CurrentContext { get; set; }

    public Dictionary<string, CliContextEntry> Contexts { get; set; } = [];

    public static string PathFor(string home) => Path.Combine(home, ".atlas", "config.yaml");

    public static CliConfig Load(string home)
    {
        var path = PathFor(home);
        if (!File.Exists(path))
        {
            return new CliConfig();
        }
        try
        {
            return Deserializer.Deserialize<CliConfig?>(File.ReadAllText(path)) ?? new CliConfig();
        }
        catch (YamlDotNet.Core.YamlException ex)
        {
            throw new CliException($"{path} is not valid: {ex.Message}");
        }
    }

    public void Save(string home)
    {
        var path = PathFor(home);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllText(path, Serializer.Serialize(this));
    }

    private static readonly IDeserializer Deserializer = new DeserializerBuilder()
        .WithNamingConvention(UnderscoredNamingConvention.Instance).IgnoreUnmatchedProperties().Build();

    private static readonly ISerializer Serializer = new SerializerBuilder()
        .WithNamingConvention(UnderscoredNamingConvention.Instance).Build();
}
