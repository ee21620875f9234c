using System.Security.Cryptography;

namespace Federation.Core.Auth;

/// <summary>
/// The one format of member client secrets, for the hub (create, rotate) and <c>fedctl admin bootstrap</c> alike:
/// <see cref="Prefix"/> plus 32 bytes from a CSPRNG, base64url. Secret scanners recognise leaked secrets by the prefix.
/// </summary>
public static class ClientSecrets
{
    /// <summary>The prefix every generated secret starts with.</summary>
    public const string Prefix = "fs_";

    /// <summary>A new secret.</summary>
    public static string Generate() =>
        Prefix + Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)).TrimEnd('=').Replace('+', '-').Replace('/', '_');
}
