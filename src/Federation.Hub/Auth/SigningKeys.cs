using System.Security.Cryptography;
using Microsoft.IdentityModel.Tokens;

namespace Federation.Hub.Auth;

/// <summary>
/// The RSA key that signs access tokens. It must survive restarts and be shared by all replicas,
/// or tokens die with the process that issued them: it comes from a configured PEM file, or is
/// generated once into the data folder (owner-only permissions) and reused.
/// </summary>
public static class SigningKeys
{
    /// <summary>Loads the configured key, or loads/creates <c>&lt;dataPath&gt;/keys/signing-key.pem</c>.</summary>
    public static RsaSecurityKey Load(string configuredPath, string dataPath)
    {
        var path = configuredPath.Length > 0 ? configuredPath : Path.Combine(dataPath, "keys", "signing-key.pem");
        var rsa = RSA.Create();
        if (File.Exists(path))
        {
            rsa.ImportFromPem(File.ReadAllText(path));
        }
        else if (configuredPath.Length > 0)
        {
            throw new InvalidOperationException($"Federation:SigningKeyPath points to '{configuredPath}', which does not exist.");
        }
        else
        {
            rsa.KeySize = 2048;
            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            WriteOwnerOnly(path, rsa.ExportPkcs8PrivateKeyPem());
        }

        // A stable key id derived from the public key lets resource servers pick the right JWK.
        var kid = Convert.ToHexStringLower(SHA256.HashData(rsa.ExportSubjectPublicKeyInfo()))[..16];
        return new RsaSecurityKey(rsa) { KeyId = kid };
    }

    /// <summary>Writes a file readable by its owner only (0600), as secrets on disk should be.</summary>
    public static void WriteOwnerOnly(string path, string contents)
    {
        var options = new FileStreamOptions { Mode = FileMode.Create, Access = FileAccess.Write };
        if (!OperatingSystem.IsWindows())
        {
            options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        }

        using var stream = new FileStream(path, options);
        using var writer = new StreamWriter(stream);
        writer.Write(contents);
    }
}
