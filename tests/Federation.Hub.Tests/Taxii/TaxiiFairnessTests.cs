using System.Net;
using System.Net.Http.Headers;
using Federation.Contracts.V1;
using Federation.Hub.Tests.Infrastructure;
using Federation.Hub.Tests.Signals;

namespace Federation.Hub.Tests.Taxii;

/// <summary>
/// TAXII requests count against the member's calls in progress like its gRPC calls: with the member's limit already
/// taken by an open SubmitStream (one call while open), a TAXII page is refused with 429 and Retry-After, and served
/// again once the stream ends. Real hub, real tokens, real redis-server.
/// </summary>
public sealed class TaxiiFairnessTests
{
    [Fact]
    public async Task A_taxii_request_over_the_members_calls_in_progress_is_429_with_retry_after()
    {
        using var redis = new TestRedis();
        await using var hub = await HubInstance.StartAsync(redis.ConnectionString, settings: new Dictionary<string, string?>
        {
            ["Federation:Fairness:MaxConcurrentCallsPerMember"] = "1",
            ["Federation:Fairness:MaxQueuedCallsPerMember"] = "0",
        });
        var admin = await hub.AdminClientAsync();
        var created = await admin.CreateMemberAsync(new CreateMemberRequest { MemberId = "taxii-fair", Scopes = { "signals.submit", "signals.read" } });
        var token = await hub.GetTokenAsync("taxii-fair", created.ClientSecret, "signals.submit signals.read");
        var signals = new SignalService.SignalServiceClient(hub.Invoker(token));
        var path = $"{TaxiiClient.Root}collections/";

        HttpStatusCode refused;
        RetryConditionHeaderValue? retryAfter;
        string body;
        using (var stream = signals.SubmitStream())
        {
            // The stream is in progress once the hub has answered a batch on it.
            await stream.RequestStream.WriteAsync(new SubmitStreamRequest { RequestId = "held-open", Items = { SignalTestKit.Sha256(SignalTestKit.RandomSha256()) } });
            Assert.True(await stream.ResponseStream.MoveNext(CancellationToken.None));
            (refused, retryAfter, body) = await GetAsync(hub.Http, path, token);
            await stream.RequestStream.CompleteAsync();
            Assert.False(await stream.ResponseStream.MoveNext(CancellationToken.None));
        }

        Assert.Equal(HttpStatusCode.TooManyRequests, refused);
        Assert.NotNull(retryAfter?.Delta);
        Assert.Contains("requests in progress", body, StringComparison.Ordinal);
        await Eventually.UntilAsync(async () => (await GetAsync(hub.Http, path, token)).Status == HttpStatusCode.OK,
            TimeSpan.FromSeconds(10), "the TAXII request to be served once the stream ended");
    }

    private static async Task<(HttpStatusCode Status, RetryConditionHeaderValue? RetryAfter, string Body)> GetAsync(HttpClient http, string path, string token)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, path);
        request.Headers.TryAddWithoutValidation("Accept", TaxiiValidator.TaxiiMediaType);
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        using var response = await http.SendAsync(request);
        return (response.StatusCode, response.Headers.RetryAfter, await response.Content.ReadAsStringAsync());
    }
}
