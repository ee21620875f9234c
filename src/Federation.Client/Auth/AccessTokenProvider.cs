using Duende.IdentityModel.Client;
using Microsoft.Extensions.Logging;

namespace Federation.Client.Auth;

/// <summary>
/// Obtains client-credentials access tokens with Duende.IdentityModel and keeps one cached until
/// shortly before it expires. Concurrent callers share one token request.
/// </summary>
internal sealed class AccessTokenProvider(
    HttpClient http, TokenEndpointDiscovery tokenEndpoints, string clientId, string clientSecret, IReadOnlyList<string> scopes, TimeSpan refreshSkew,
    TimeProvider time, ILogger logger) : IDisposable
{
    private readonly SemaphoreSlim gate = new(1, 1);
    private CachedToken? current;
    private int requests;

    /// <summary>How many token requests were made (tests observe refreshes through it).</summary>
    internal int Requests => Volatile.Read(ref requests);

    /// <summary>Returns a token that is not about to expire, requesting a new one when needed.</summary>
    public async ValueTask<string> GetAsync(CancellationToken cancellationToken)
    {
        var token = current;
        if (token is not null && time.GetUtcNow() < token.RefreshAt)
        {
            return token.Value;
        }

        await gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            token = current;
            if (token is not null && time.GetUtcNow() < token.RefreshAt)
            {
                return token.Value;
            }

            token = await RequestAsync(cancellationToken).ConfigureAwait(false);
            current = token;
            return token.Value;
        }
        finally
        {
            gate.Release();
        }
    }

    /// <summary>Forgets <paramref name="rejected"/> (the hub answered UNAUTHENTICATED) so the next call requests a new token.</summary>
    public void Invalidate(string rejected)
    {
        var token = current;
        if (token is not null && token.Value == rejected)
        {
            Interlocked.CompareExchange(ref current, null, token);
        }
    }

    /// <summary>Replaces the cached token (tests use it to plant a token the hub will refuse).</summary>
    internal void Plant(string value, DateTimeOffset expiresAt) => current = new CachedToken(value, expiresAt);

    private async Task<CachedToken> RequestAsync(CancellationToken cancellationToken)
    {
        Interlocked.Increment(ref requests);
        var tokenEndpoint = await tokenEndpoints.GetAsync(cancellationToken).ConfigureAwait(false);
        using var request = new ClientCredentialsTokenRequest
        {
            Address = tokenEndpoint.AbsoluteUri,
            ClientId = clientId,
            ClientSecret = clientSecret,
            Scope = string.Join(' ', scopes),
            ClientCredentialStyle = ClientCredentialStyle.PostBody,
        };
        var issued = time.GetUtcNow();
        var response = await http.RequestClientCredentialsTokenAsync(request, cancellationToken).ConfigureAwait(false);
        if (response.ErrorType == ResponseErrorType.Exception)
        {
            // Network failure: let the retry pipeline treat it as transient.
            throw response.Exception as HttpRequestException
                ?? new HttpRequestException($"token endpoint {tokenEndpoint} unreachable: {response.Error}", response.Exception);
        }

        if (response.IsError || string.IsNullOrEmpty(response.AccessToken))
        {
            var status = (int)response.HttpStatusCode;
            if (status == 429)
            {
                // The hub throttles token requests (credential-guessing defence): wait as long as it says, do not hammer it.
                var retryAfter = response.HttpResponse?.Headers.RetryAfter?.Delta;
                throw new FederationException(
                    $"ResourceExhausted: the token endpoint {tokenEndpoint} throttles this client; retry after {retryAfter?.TotalSeconds ?? 60:0} s",
                    Grpc.Core.StatusCode.ResourceExhausted, null, retryAfter ?? TimeSpan.FromSeconds(60));
            }

            if (status >= 500)
            {
                throw new HttpRequestException($"token endpoint {tokenEndpoint} failed with HTTP {status}", null, response.HttpStatusCode);
            }

            // OpenIddict answers invalid_client with HTTP 401, which the library reports as an HTTP error;
            // the OAuth error code is still in the JSON body it parsed.
            var error = response.ErrorType == ResponseErrorType.Http ? response.TryGet("error") ?? response.Error : response.Error;
            var description = response.ErrorType == ResponseErrorType.Http ? response.TryGet("error_description") ?? response.ErrorDescription : response.ErrorDescription;
            throw new FederationAuthenticationException(error, description, status);
        }

        var lifetime = TimeSpan.FromSeconds(response.ExpiresIn > 0 ? response.ExpiresIn : 60);
        var skew = refreshSkew < lifetime / 5 ? refreshSkew : lifetime / 5;
        logger.LogDebug("Obtained an access token for {ClientId} valid for {Lifetime}", clientId, lifetime);
        return new CachedToken(response.AccessToken, issued + lifetime - skew);
    }

    public void Dispose() => gate.Dispose();

    private sealed record CachedToken(string Value, DateTimeOffset RefreshAt);
}
