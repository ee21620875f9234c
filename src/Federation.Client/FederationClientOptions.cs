namespace Federation.Client;

/// <summary>
/// How a <see cref="FederationClient"/> reaches the hub and authenticates. Bind it from configuration
/// (section <c>Federation:Client</c> by convention) or set it in code.
/// </summary>
public sealed class FederationClientOptions
{
    /// <summary>The default scopes: submit, read.</summary>
    public static readonly IReadOnlyList<string> DefaultScopes = ["signals.submit", "signals.read"];

    /// <summary>
    /// The hub's gRPC address, for example <c>https://hub.example.org</c> (TLS: one port serves gRPC and
    /// tokens) or <c>http://127.0.0.1:5081</c> (a plaintext local hub: gRPC on an HTTP/2-only port).
    /// </summary>
    public Uri? HubAddress { get; set; }

    /// <summary>
    /// The OAuth 2.0 token endpoint. When unset it is discovered from the hub: the <c>token_endpoint</c> of its
    /// OpenID Connect discovery document at <see cref="HubAddress"/><c>/.well-known/openid-configuration</c>.
    /// Only when the hub gives none, <see cref="ResolveTokenEndpoint"/> derives it from the hub address.
    /// </summary>
    public Uri? TokenEndpoint { get; set; }

    /// <summary>The member's client id.</summary>
    public string ClientId { get; set; } = "";

    /// <summary>The member's client secret. Keep it out of source control and logs.</summary>
    public string ClientSecret { get; set; } = "";

    /// <summary>Scopes to request; empty means <see cref="DefaultScopes"/>. Administrators add <c>federation.admin</c>.</summary>
    public IList<string> Scopes { get; } = [];

    /// <summary>How often a call failing with UNAVAILABLE or DEADLINE_EXCEEDED (or an unreachable token endpoint) is retried. Default 5.</summary>
    public int MaxRetryAttempts { get; set; } = 5;

    /// <summary>First retry delay; later ones grow exponentially, with jitter. Default 200 ms.</summary>
    public TimeSpan RetryBaseDelay { get; set; } = TimeSpan.FromMilliseconds(200);

    /// <summary>Largest delay between two retries or two subscription reconnects. Default 10 s.</summary>
    public TimeSpan RetryMaxDelay { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>Deadline of each unary call attempt; <see langword="null"/> for none. Default 30 s.</summary>
    public TimeSpan? CallTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// A token is renewed this long before it expires (at most a fifth of its lifetime before), so a
    /// call never leaves with a token about to lapse. Default 30 s.
    /// </summary>
    public TimeSpan TokenRefreshSkew { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Items per <c>Submit</c> call when <see cref="FederationClient.SubmitAsync(IEnumerable{Contracts.V1.SignalSubmission}, string?, IProgress{SubmitProgress}?, CancellationToken)"/> splits a large submission. 1-1000; default 1000.</summary>
    public int SubmitBatchSize { get; set; } = 1000;

    /// <summary>
    /// Batches <see cref="FederationClient.SubmitStreamAsync"/> keeps sent but unacknowledged (flow control; they are also
    /// what it resends after a broken stream). 1-64; default 4, the hub's default per-stream concurrency.
    /// </summary>
    public int SubmitStreamWindow { get; set; } = 4;

    /// <summary>The scopes actually requested.</summary>
    internal IReadOnlyList<string> EffectiveScopes => Scopes.Count == 0 ? DefaultScopes : [.. Scopes];

    /// <summary>
    /// The token endpoint when the hub does not advertise one: <see cref="TokenEndpoint"/> if set; else for <c>https</c>
    /// the same origin with path <c>/connect/token</c>; for plaintext <c>http</c> the same host with port − 1 (the
    /// hub's default plaintext layout: tokens on 5080, gRPC on 5081).
    /// </summary>
    /// <exception cref="ArgumentException">No hub address is set.</exception>
    public Uri ResolveTokenEndpoint()
    {
        if (TokenEndpoint is not null)
        {
            return TokenEndpoint;
        }

        var hub = HubAddress ?? throw new ArgumentException("FederationClientOptions.HubAddress is required.");
        var builder = new UriBuilder(hub) { Path = "/connect/token", Query = "", Fragment = "" };
        if (hub.Scheme == Uri.UriSchemeHttp && !hub.IsDefaultPort)
        {
            builder.Port = hub.Port - 1;
        }

        return builder.Uri;
    }

    /// <summary>Checks that the options can work; throws <see cref="ArgumentException"/> naming the first problem.</summary>
    public void Validate()
    {
        if (HubAddress is null || !HubAddress.IsAbsoluteUri || (HubAddress.Scheme != Uri.UriSchemeHttp && HubAddress.Scheme != Uri.UriSchemeHttps))
        {
            throw new ArgumentException("FederationClientOptions.HubAddress must be an absolute http:// or https:// address.");
        }

        if (string.IsNullOrWhiteSpace(ClientId))
        {
            throw new ArgumentException("FederationClientOptions.ClientId is required.");
        }

        if (string.IsNullOrEmpty(ClientSecret))
        {
            throw new ArgumentException("FederationClientOptions.ClientSecret is required.");
        }

        if (SubmitBatchSize is < 1 or > 1000)
        {
            throw new ArgumentException("FederationClientOptions.SubmitBatchSize must be 1-1000.");
        }

        if (SubmitStreamWindow is < 1 or > 64)
        {
            throw new ArgumentException("FederationClientOptions.SubmitStreamWindow must be 1-64.");
        }

        if (MaxRetryAttempts < 0)
        {
            throw new ArgumentException("FederationClientOptions.MaxRetryAttempts must not be negative.");
        }
    }
}
