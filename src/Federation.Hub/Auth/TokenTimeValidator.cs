using System.Globalization;
using Federation.Hub.Options;
using Microsoft.Extensions.Options;
using OpenIddict.Abstractions;
using OpenIddict.Validation;
using static OpenIddict.Abstractions.OpenIddictConstants;
using static OpenIddict.Validation.OpenIddictValidationEvents;

namespace Federation.Hub.Auth;

/// <summary>
/// Refuses a correctly signed access token that is not valid <em>now</em>: OpenIddict checks <c>exp</c> but not
/// <c>nbf</c> or <c>iat</c>, so a token minted for later (or with a clock far ahead) would be accepted. Each is allowed
/// <see cref="TokenOptions.ClockSkew"/> (the same skew OpenIddict applies to <c>exp</c>); a token without <c>exp</c>
/// is refused, since nothing could end it.
/// </summary>
public sealed class TokenTimeValidator(IOptions<FederationOptions> options, TimeProvider clock) : IOpenIddictValidationHandler<ValidateTokenContext>
{
    private readonly TimeSpan skew = options.Value.Tokens.ClockSkew;

    /// <summary>Registration with OpenIddict validation: right after its own audience check.</summary>
    public static OpenIddictValidationHandlerDescriptor Descriptor { get; } =
        OpenIddictValidationHandlerDescriptor.CreateBuilder<ValidateTokenContext>()
            .UseSingletonHandler<TokenTimeValidator>()
            .SetOrder(OpenIddictValidationHandlers.Protection.ValidateAudiences.Descriptor.Order + 500)
            .SetType(OpenIddictValidationHandlerType.Custom)
            .Build();

    public ValueTask HandleAsync(ValidateTokenContext context)
    {
        if (context.Principal is not { } principal)
        {
            return default;
        }

        var now = clock.GetUtcNow();
        var expires = Time(principal.GetClaim(Claims.ExpiresAt));
        var notBefore = Time(principal.GetClaim(Claims.NotBefore));
        var issuedAt = Time(principal.GetClaim(Claims.IssuedAt));
        var refusal =
            expires is null ? "The access token has no expiry (exp); request a new token."
            : expires.Value + skew < now ? "The access token has expired; request a new token."
            : notBefore > now + skew ? "The access token is not valid yet (nbf is in the future); check the clocks and request a new token."
            : issuedAt > now + skew ? "The access token was issued in the future (iat); check the clocks and request a new token."
            : null;
        if (refusal is not null)
        {
            context.Reject(error: Errors.InvalidToken, description: refusal);
        }

        return default;
    }

    private static DateTimeOffset? Time(string? seconds) =>
        long.TryParse(seconds, NumberStyles.Integer, CultureInfo.InvariantCulture, out var value) ? DateTimeOffset.FromUnixTimeSeconds(value) : null;
}
