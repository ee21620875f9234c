using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Federation.Core.Auth;

namespace Federation.Hub.Auth;

/// <summary>
/// Client secrets: generated from a CSPRNG, shown once, stored only as a salted slow hash
/// (PBKDF2-HMAC-SHA256 from the framework), compared in constant time.
/// </summary>
public static class ClientSecretHasher
{
    private const int Iterations = 100_000;
    private const int SaltBytes = 16;
    private const int HashBytes = 32;
    private const string Scheme = "pbkdf2-sha256";

    // Verified against when the client id is unknown, so that unknown and known ids take the same time.
    private static readonly string DecoyHash = Hash(GenerateSecret());

    /// <summary>A new secret (<see cref="ClientSecrets"/>: "fs_" plus 32 random bytes, base64url).</summary>
    public static string GenerateSecret() => ClientSecrets.Generate();

    /// <summary>Hashes a secret as <c>pbkdf2-sha256$iterations$salt$hash</c> (base64 parts).</summary>
    public static string Hash(string secret)
    {
        var salt = RandomNumberGenerator.GetBytes(SaltBytes);
        var hash = Rfc2898DeriveBytes.Pbkdf2(Encoding.UTF8.GetBytes(secret), salt, Iterations, HashAlgorithmName.SHA256, HashBytes);
        return string.Join('$', Scheme, Iterations.ToString(CultureInfo.InvariantCulture), Convert.ToBase64String(salt), Convert.ToBase64String(hash));
    }

    /// <summary>True when <paramref name="secret"/> matches <paramref name="stored"/>; null stored spends the same time and fails.</summary>
    public static bool Verify(string? secret, string? stored)
    {
        var parts = (stored ?? DecoyHash).Split('$');
        var matches = false;
        if (parts.Length == 4 && parts[0] == Scheme && int.TryParse(parts[1], CultureInfo.InvariantCulture, out var iterations))
        {
            var salt = Convert.FromBase64String(parts[2]);
            var expected = Convert.FromBase64String(parts[3]);
            var actual = Rfc2898DeriveBytes.Pbkdf2(Encoding.UTF8.GetBytes(secret ?? ""), salt, iterations, HashAlgorithmName.SHA256, expected.Length);
            matches = CryptographicOperations.FixedTimeEquals(actual, expected);
        }

        return matches && stored is not null && secret is not null;
    }
}
