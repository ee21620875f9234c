using System.Net;
using Federation.Hub.Auth;
using Federation.Hub.Grpc;

namespace Federation.Hub.Tests;

/// <summary>How token request sources are keyed for throttling and classed for the audit; the grpc-message encoding.</summary>
public sealed class TokenRequestSourceTests
{
    [Theory]
    [InlineData("203.0.113.7", "203.0.113.7", "203.0.113.0/24")]
    [InlineData("::ffff:203.0.113.7", "203.0.113.7", "203.0.113.0/24")]
    [InlineData("2001:db8:1:2:3:4:5:6", "2001:db8:1:2::/64", "2001:db8:1::/48")]
    public void Source_is_keyed_by_address_or_ipv6_64_and_audited_by_class(string address, string key, string auditClass)
    {
        var ip = IPAddress.Parse(address);

        Assert.Equal(key, TokenRequestSource.Key(ip));
        Assert.Equal(auditClass, TokenRequestSource.AuditClass(ip));
    }

    [Fact]
    public void Unknown_source_has_one_key()
    {
        Assert.Equal("unknown", TokenRequestSource.Key(null));
    }

    [Theory]
    [InlineData("scope signals.read needed", "scope signals.read needed")]
    [InlineData("100% sure", "100%25 sure")]
    [InlineData("naïve\n", "na%C3%AFve%0A")]
    public void Grpc_message_is_percent_encoded_per_the_http2_spec(string message, string encoded)
    {
        Assert.Equal(encoded, GrpcResponses.PercentEncode(message));
    }
}
