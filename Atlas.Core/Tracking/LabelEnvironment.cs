using System.Text;

namespace Atlas.Core.Tracking;

/// <summary>
/// How a submitted param or tag reaches the job: <c>lr</c> becomes <c>ATLAS_PARAM_LR</c>,
/// <c>stage</c> <c>ATLAS_TAG_STAGE</c> (upper case; '.' and '-' become '_').
/// </summary>
public static class LabelEnvironment
{
    public const string ParamPrefix = "ATLAS_PARAM_";
    public const string TagPrefix = "ATLAS_TAG_";

    public static string Name(string prefix, string label)
    {
        var name = new StringBuilder(prefix, prefix.Length + label.Length);
        foreach (var c in label)
        {
            name.Append(char.IsAsciiLetterOrDigit(c) ? char.ToUpperInvariant(c) : '_');
        }
        return name.ToString();
    }

    /// <summary>Adds the variables of <paramref name="labels"/> to <paramref name="env"/>.</summary>
    public static void AddTo(IDictionary<string, string> env, string prefix, IReadOnlyDictionary<string, string>? labels)
    {
        foreach (var (label, value) in labels ?? new Dictionary<string, string>())
        {
            env[Name(prefix, label)] = value;
        }
    }
}
