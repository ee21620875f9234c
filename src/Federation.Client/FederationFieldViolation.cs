namespace Federation.Client;

/// <summary>One request field the hub rejected.</summary>
/// <param name="Field">The field's path in the request, e.g. <c>items[3].value</c> or <c>member_id</c>.</param>
/// <param name="Description">Why, in words a person can act on.</param>
public sealed record FederationFieldViolation(string Field, string Description);
