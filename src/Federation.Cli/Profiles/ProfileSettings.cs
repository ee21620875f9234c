using System.Text.Json.Serialization;

namespace Federation.Cli.Profiles;

/// <summary>What <c>fedctl login</c> saves (the secret lives beside it in a 0600 file).</summary>
public sealed class ProfileSettings
{
    [JsonPropertyName("hub")]
    public string Hub { get; set; } = "";

    [JsonPropertyName("token_endpoint")]
    public string? TokenEndpoint { get; set; }

    [JsonPropertyName("client_id")]
    public string ClientId { get; set; } = "";

    [JsonPropertyName("scopes")]
    public List<string> Scopes { get; set; } = [];
}
