using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text.RegularExpressions;

namespace Atlas.Deploy.Aws.Settings;

/// <summary>What EC2 and CloudFormation accept as names, checked before anything is created.</summary>
public static partial class Ec2Names
{
    /// <summary>Instance families Atlas knows (x86-64, so the nodes' image fits).</summary>
    private static readonly HashSet<string> Families = new(StringComparer.Ordinal)
    {
        "t3", "t3a", "m5", "m5a", "m5d", "m5n", "m6a", "m6i", "m6id", "m7a", "m7i", "c5", "c5a", "c5d", "c5n", "c6a", "c6i", "c7a", "c7i",
        "r5", "r5a", "r5d", "r6a", "r6i", "r7a", "r7i", "x2idn", "z1d",
        "g4dn", "g4ad", "g5", "g6", "g6e", "gr6", "p3", "p3dn", "p4d", "p4de", "p5", "p5e", "p5en", "trn1", "inf2", "dl1",
    };

    private static readonly HashSet<string> Sizes = new(StringComparer.Ordinal)
    {
        "nano", "micro", "small", "medium", "large", "xlarge", "2xlarge", "3xlarge", "4xlarge", "6xlarge", "8xlarge", "9xlarge",
        "12xlarge", "16xlarge", "18xlarge", "24xlarge", "32xlarge", "48xlarge", "metal",
    };

    /// <summary>Families whose instances have GPUs (or other accelerators) for jobs that ask for them.</summary>
    private static readonly HashSet<string> AcceleratedFamilies = new(StringComparer.Ordinal)
    {
        "g4dn", "g4ad", "g5", "g6", "g6e", "gr6", "p3", "p3dn", "p4d", "p4de", "p5", "p5e", "p5en", "trn1", "inf2", "dl1",
    };

    public static bool IsKnownInstanceType(string value) =>
        value.Split('.') is [var family, var size] && Families.Contains(family) && Sizes.Contains(size);

    public static bool IsAcceleratedInstanceType(string value) =>
        IsKnownInstanceType(value) && AcceleratedFamilies.Contains(value.Split('.')[0]);

    /// <summary>A stack name that also works in the names derived from it (launch templates, tags).</summary>
    public static bool IsClusterId(string value) => ClusterId().IsMatch(value);

    public static bool IsImageId(string value) => ImageId().IsMatch(value);

    /// <summary>An IPv4 CIDR block (<c>203.0.113.7/32</c>; a bare address is its /32), or null with the reason.</summary>
    public static string? ParseCidr(string value, out string? reason)
    {
        reason = null;
        var text = value.Contains('/', StringComparison.Ordinal) ? value : value + "/32";
        if (!IPNetwork.TryParse(text, out var network))
        {
            reason = "not a CIDR block like 203.0.113.7/32";
            return null;
        }
        if (network.BaseAddress.AddressFamily != AddressFamily.InterNetwork)
        {
            reason = "not IPv4 (security group rules here take an IPv4 block)";
            return null;
        }
        // IPNetwork clears the bits past the prefix; a block that silently grew is not what was asked for.
        if (network.ToString() != text)
        {
            reason = $"not a block: bits are set past /{network.PrefixLength} (did you mean {network} or {text.Split('/')[0]}/32?)";
            return null;
        }
        return text;
    }

    /// <summary>A duration like <c>10m</c>, <c>90s</c>, <c>1h</c> or <c>1h30m</c>.</summary>
    public static TimeSpan? ParseDuration(string value)
    {
        var match = Duration().Match(value);
        if (!match.Success || value.Length == 0)
        {
            return null;
        }
        static double Part(Group g) => g.Success ? double.Parse(g.Value, CultureInfo.InvariantCulture) : 0;
        return TimeSpan.FromHours(Part(match.Groups["h"])) + TimeSpan.FromMinutes(Part(match.Groups["m"])) + TimeSpan.FromSeconds(Part(match.Groups["s"]));
    }

    [GeneratedRegex("^[a-zA-Z][-a-zA-Z0-9]{0,99}$")]
    private static partial Regex ClusterId();

    [GeneratedRegex("^ami-[0-9a-f]{8,17}$")]
    private static partial Regex ImageId();

    [GeneratedRegex("^(?:(?<h>[0-9]+)h)?(?:(?<m>[0-9]+)m)?(?:(?<s>[0-9]+)s)?$")]
    private static partial Regex Duration();
}
