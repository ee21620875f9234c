using System.Net;
using System.Net.Sockets;

namespace Federation.Hub.Auth;

/// <summary>
/// Where a token request comes from, as the throttle and the audit see it: the connection's remote address
/// (behind a reverse proxy, only with ASP.NET Core's forwarded-headers handling enabled; docs/security.md).
/// </summary>
public static class TokenRequestSource
{
    /// <summary>
    /// The throttling key: the IPv4 address, or the IPv6 /64 prefix (one host usually holds a whole /64, so
    /// per-address limits on IPv6 would be free to dodge). IPv4-mapped IPv6 counts as IPv4.
    /// </summary>
    public static string Key(IPAddress? address) => address is null ? "unknown" : Prefix(address, 32, 64, withLength: false);

    /// <summary>The address class written to the audit: the IPv4 /24 or IPv6 /48 it belongs to, never the full address.</summary>
    public static string AuditClass(IPAddress? address) => address is null ? "unknown" : Prefix(address, 24, 48, withLength: true);

    private static string Prefix(IPAddress address, int ipv4Bits, int ipv6Bits, bool withLength)
    {
        if (address.IsIPv4MappedToIPv6)
        {
            address = address.MapToIPv4();
        }

        var bits = address.AddressFamily == AddressFamily.InterNetwork ? ipv4Bits : ipv6Bits;
        var bytes = address.GetAddressBytes();
        for (var i = 0; i < bytes.Length; i++)
        {
            var keep = Math.Clamp(bits - (i * 8), 0, 8);
            bytes[i] &= (byte)(0xFF << (8 - keep));
        }

        var text = new IPAddress(bytes).ToString();
        return withLength || address.AddressFamily != AddressFamily.InterNetwork ? $"{text}/{bits}" : text;
    }
}
