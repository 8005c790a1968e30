namespace Atlas.AppHost.Publishing;

/// <summary>What a <see cref="ValuePart"/> holds.</summary>
public enum ValuePartKind
{
    Literal,
    Endpoint,
    Parameter,
}
