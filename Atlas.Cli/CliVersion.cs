using System.Reflection;

namespace Atlas.Cli;

/// <summary>This CLI's version (the package version, without build metadata): what <c>deploy aws up</c> installs.</summary>
public static class CliVersion
{
    public static string Current { get; } =
        (typeof(CliVersion).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion ?? "0.0.0").Split('+')[0];
}
