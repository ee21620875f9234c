using Federation.Hub.Options;
using Federation.Hub.Storage;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.Options;

namespace Federation.Hub.Auth;

/// <summary>
/// Runs in front of OpenIddict on the token endpoint so that nothing a client sends becomes HTTP 500: bodies over
/// <see cref="TokenOptions.MaxRequestBytes"/> get 413, a form that does not parse (invalid percent-encoding, NUL
/// characters, too many fields) gets 400 <c>invalid_request</c>, the guessing throttle's refusal gets 429 with
/// Retry-After, and a store failure (<see cref="StoreFailures"/>) gets 503 <c>temporarily_unavailable</c> with
/// Retry-After. OpenIddict reads the form this guard already parsed (ASP.NET Core caches it).
/// </summary>
public sealed class TokenEndpointGuard(RequestDelegate next, IOptions<FederationOptions> options, ILogger<TokenEndpointGuard> logger)
{
    private readonly int maxBytes = options.Value.Tokens.MaxRequestBytes;

    public async Task InvokeAsync(HttpContext context)
    {
        if (context.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } size)
        {
            size.MaxRequestBodySize = maxBytes;
        }

        if (context.Request.ContentLength > maxBytes)
        {
            await TooLargeAsync(context).ConfigureAwait(false);
            return;
        }

        if (HttpMethods.IsPost(context.Request.Method) && context.Request.HasFormContentType)
        {
            try
            {
                await context.Request.ReadFormAsync(new FormOptions { ValueLengthLimit = maxBytes, KeyLengthLimit = 256, ValueCountLimit = 64 }, context.RequestAborted)
                    .ConfigureAwait(false);
            }
            catch (BadHttpRequestException e) when (e.StatusCode == StatusCodes.Status413PayloadTooLarge)
            {
                await TooLargeAsync(context).ConfigureAwait(false);
                return;
            }
            catch (Exception e) when (e is InvalidDataException or BadHttpRequestException or IOException)
            {
                // The exception's message is ours (it names the rule, not the value), so it is safe to return.
                await OAuthErrors.WriteAsync(context, StatusCodes.Status400BadRequest, "invalid_request",
                    "The request body is not a valid application/x-www-form-urlencoded form: " + e.Message).ConfigureAwait(false);
                return;
            }
        }

        try
        {
            await next(context).ConfigureAwait(false);
        }
        catch (TokenRequestThrottledException e) when (!context.Response.HasStarted)
        {
            await OAuthErrors.WriteAsync(context, StatusCodes.Status429TooManyRequests, "temporarily_unavailable", e.Message, e.RetryAfter)
                .ConfigureAwait(false);
        }
        catch (Exception e) when (StoreFailures.IsStoreFailure(e) && !context.Response.HasStarted)
        {
            logger.LogWarning("Store unavailable at the token endpoint: {Error}", e.Message);
            await OAuthErrors.WriteAsync(context, StatusCodes.Status503ServiceUnavailable, "temporarily_unavailable",
                "The hub's store (Redis) is unavailable; retry after the Retry-After delay.", StoreFailures.RetryAfter).ConfigureAwait(false);
        }
    }

    private Task TooLargeAsync(HttpContext context) =>
        OAuthErrors.WriteAsync(context, StatusCodes.Status413PayloadTooLarge, "invalid_request",
            $"The token request body is larger than {maxBytes} bytes; a client credentials request needs well under 1 KiB.");
}
