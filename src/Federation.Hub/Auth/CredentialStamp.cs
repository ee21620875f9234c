using System.Globalization;
using Federation.Hub.Storage;

namespace Federation.Hub.Auth;

/// <summary>
/// The credential stamp: which issue of a member's credentials a token was obtained with (its
/// <see cref="MemberRecord.CredentialsIssuedAt"/> in Unix milliseconds, exact, unlike the token's second-resolution
/// <c>iat</c>). Every access token carries it; a call whose stamp differs from the member record's is refused, so
/// rotating credentials revokes every earlier token on every replica at once.
/// </summary>
public static class CredentialStamp
{
    /// <summary>The claim holding the stamp in access tokens.</summary>
    public const string Claim = "fed_cst";

    /// <summary>The member's current stamp.</summary>
    public static string Of(MemberRecord member) =>
        member.CredentialsIssuedAt.ToUnixTimeMilliseconds().ToString(CultureInfo.InvariantCulture);

    /// <summary>True when <paramref name="stamp"/> (from a token; null when it has none) is the member's current one.</summary>
    public static bool IsCurrent(string? stamp, MemberRecord member) => string.Equals(stamp, Of(member), StringComparison.Ordinal);
}
