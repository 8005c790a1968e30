namespace Atlas.AppHost.Publishing;

/// <summary>
/// One piece of a deployable value: literal text, a reference to another service's endpoint, or
/// an Aspire parameter. Each target renders references its own way (a compose service name, a
/// host's address), so one model gives every target.
/// </summary>
/// <param name="Kind">What the part is.</param>
/// <param name="Text">The literal text (only for <see cref="ValuePartKind.Literal"/>).</param>
/// <param name="Resource">The service or parameter referred to.</param>
/// <param name="Endpoint">The endpoint's name (only for <see cref="ValuePartKind.Endpoint"/>).</param>
/// <param name="Property">Which part of the endpoint.</param>
/// <param name="Secret">True for a secret parameter: a value holding one goes to the secrets files only.</param>
/// <param name="Format">Aspire's string format of a parameter (<c>uri</c> escapes it), or null.</param>
public sealed record ValuePart(ValuePartKind Kind, string Text, string Resource = "", string Endpoint = "", EndpointProperty Property = EndpointProperty.Url, bool Secret = false, string? Format = null)
{
    public static ValuePart Literal(string text) => new(ValuePartKind.Literal, text);
}
