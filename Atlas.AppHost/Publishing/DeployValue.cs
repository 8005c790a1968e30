using System.Text;

namespace Atlas.AppHost.Publishing;

/// <summary>An environment value or argument of a deployable service, as parts a target renders.</summary>
public sealed record DeployValue(IReadOnlyList<ValuePart> Parts)
{
    /// <summary>True when the value holds a secret parameter: targets write it to a secrets file only.</summary>
    public bool IsSecret => Parts.Any(p => p.Secret);

    /// <summary>The value, each reference rendered by <paramref name="resolve"/>.</summary>
    public string Render(Func<ValuePart, string> resolve)
    {
        var text = new StringBuilder();
        foreach (var part in Parts)
        {
            var value = part.Kind == ValuePartKind.Literal ? part.Text : resolve(part);
            text.Append(part.Format == "uri" ? Uri.EscapeDataString(value) : value);
        }
        return text.ToString();
    }

    public static DeployValue Literal(string text) => new([ValuePart.Literal(text)]);
}
