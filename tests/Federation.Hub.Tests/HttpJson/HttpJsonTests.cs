using System.Security.Cryptography;
using System.Text.Json;
using Federation.Hub.Tests.Infrastructure;

namespace Federation.Hub.Tests.HttpJson;

/// <summary>
/// The HTTP/JSON routes (gRPC JSON transcoding) against a real hub over its real HTTP/1.1 port, with real tokens and a
/// plain HttpClient: the same results, rules and refusals as gRPC, in JSON with HTTP statuses.
/// </summary>
public sealed class HttpJsonTests(HubFixture fixture) : IClassFixture<HubFixture>
{
    private static readonly TimeSpan StreamBound = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task Submit_of_a_mixed_batch_answers_one_result_per_item_and_stores_the_good_ones()
    {
        var api = await MemberAsync("signals.submit signals.read");
        var good = RandomHex(32);
        var md5 = RandomHex(16);

        var reply = await api.PostAsync("/v1/signals:submit", $$"""
            {"requestId": "{{Guid.NewGuid():N}}", "items": [
              {"type": "SIGNAL_TYPE_SHA256", "value": "{{good}}", "categories": ["CATEGORY_CSAM"]},
              {"type": "SIGNAL_TYPE_SHA256", "value": "{{good[..^1]}}", "categories": ["CATEGORY_CSAM"]},
              {"type": "SIGNAL_TYPE_MD5", "value": "{{md5.ToUpperInvariant()}}", "categories": ["CATEGORY_GROOMING"]}]}
            """);

        Assert.True(reply.Status == 200, reply.ToString());
        var results = reply.Json.GetProperty("results").EnumerateArray().ToArray();
        Assert.Equal(3, results.Length);
        Assert.Equal("SUBMIT_OUTCOME_CREATED", results[0].GetProperty("outcome").GetString());
        Assert.Equal("SUBMIT_OUTCOME_REJECTED", results[1].GetProperty("outcome").GetString());
        Assert.Equal("items[1].value", results[1].GetProperty("error").GetProperty("field").GetString());
        Assert.Contains("64 hex", results[1].GetProperty("error").GetProperty("description").GetString(), StringComparison.Ordinal);
        Assert.Equal("SUBMIT_OUTCOME_CREATED", results[2].GetProperty("outcome").GetString());
        Assert.Equal("md5:" + md5, results[2].GetProperty("signalId").GetString());
        Assert.Equal(2, reply.Json.GetProperty("summary").GetProperty("created").GetInt32());
        Assert.Equal(1, reply.Json.GetProperty("summary").GetProperty("rejected").GetInt32());
    }

    [Fact]
    public async Task Lookup_finds_what_was_submitted_and_nothing_for_an_unknown_value()
    {
        var api = await MemberAsync("signals.submit signals.read");
        var known = RandomHex(32);
        await SubmitAsync(api, known);

        var reply = await api.PostAsync("/v1/signals:lookup", $$"""
            {"queries": [{"type": "SIGNAL_TYPE_SHA256", "value": "{{known}}"}, {"type": "SIGNAL_TYPE_SHA256", "value": "{{RandomHex(32)}}"}]}
            """);

        Assert.True(reply.Status == 200, reply.ToString());
        var results = reply.Json.GetProperty("results").EnumerateArray().ToArray();
        var match = Assert.Single(results[0].GetProperty("matches").EnumerateArray());
        Assert.Equal(known, match.GetProperty("signal").GetProperty("value").GetString());
        Assert.Equal(1, match.GetProperty("signal").GetProperty("corroborationCount").GetInt32());
        Assert.Empty(results[1].GetProperty("matches").EnumerateArray());
    }

    [Fact]
    public async Task Feed_is_newline_delimited_json_and_resumes_strictly_after_a_cursor()
    {
        var api = await MemberAsync("signals.submit signals.read");
        using var bound = new CancellationTokenSource(StreamBound);
        var first = RandomHex(32);
        var second = RandomHex(32);
        string cursor;
        using (var feed = await api.OpenStreamAsync("/v1/feed?start=SUBSCRIBE_START_LATEST&filter.types=SIGNAL_TYPE_SHA256", bound.Token))
        {
            Assert.Equal(200, (int)feed.StatusCode);
            using var lines = new StreamReader(await feed.Content.ReadAsStreamAsync(bound.Token));
            await ReadUntilAsync(lines, u => u.GetProperty("kind").GetString() == "UPDATE_KIND_LIVE", bound.Token);
            await SubmitAsync(api, first);
            var update = await ReadUntilAsync(lines, u => Value(u) == first, bound.Token);
            Assert.Equal("UPDATE_KIND_CREATED", update.GetProperty("kind").GetString());
            cursor = update.GetProperty("cursor").GetString()!;
        }

        await SubmitAsync(api, second);
        using var resumed = await api.OpenStreamAsync($"/v1/feed?start=SUBSCRIBE_START_CURSOR&cursor={Uri.EscapeDataString(cursor)}", bound.Token);
        using var resumedLines = new StreamReader(await resumed.Content.ReadAsStreamAsync(bound.Token));
        var seen = new List<string?>();
        await ReadUntilAsync(resumedLines, u =>
        {
            seen.Add(Value(u));
            return u.GetProperty("kind").GetString() == "UPDATE_KIND_LIVE";
        }, bound.Token);

        Assert.Contains(second, seen);
        Assert.DoesNotContain(first, seen);
    }

    [Fact]
    public async Task Notices_are_a_json_stream_that_carries_an_overturn_with_the_members_references()
    {
        var api = await MemberAsync("signals.submit signals.read");
        var value = RandomHex(32);
        await SubmitAsync(api, value);
        var recorded = await api.PostAsync("/v1/signals:recordAction",
            $"{{\"signal\": {{\"type\": \"SIGNAL_TYPE_SHA256\", \"value\": \"{value}\"}}, \"kind\": \"ACTION_KIND_CONTENT_REMOVED\", \"reference\": \"case-7\"}}");
        var admin = new JsonApiClient(fixture.Hub.Http, await fixture.Hub.GetTokenAsync(HubInstance.AdminId, HubInstance.AdminSecret, "federation.admin"));
        var overturned = await admin.PostAsync("/v1/governance/signals:overturn",
            $"{{\"signal\": {{\"type\": \"SIGNAL_TYPE_SHA256\", \"value\": \"{value}\"}}, \"reason\": \"not abuse\"}}");
        using var bound = new CancellationTokenSource(StreamBound);
        using var notices = await api.OpenStreamAsync("/v1/notices", bound.Token);
        using var lines = new StreamReader(await notices.Content.ReadAsStreamAsync(bound.Token));
        JsonElement notice = default;
        for (var read = 0; read < 100 && notice.ValueKind != JsonValueKind.Object; read++)
        {
            // One WatchNoticesResponse object per line (gRPC JSON transcoding's server streaming).
            var line = await lines.ReadLineAsync(bound.Token) ?? throw new InvalidOperationException("the notice stream ended");
            if (line.Length > 0 && JsonDocument.Parse(line).RootElement.TryGetProperty("notice", out var found))
            {
                notice = found.Clone();
            }
        }

        Assert.True(recorded.Status == 200, recorded.ToString());
        Assert.Equal(1, overturned.Json.GetProperty("actingMembers").GetInt32());
        Assert.Equal("OVERTURN_CAUSE_ADMINISTRATOR", notice.GetProperty("cause").GetString());
        Assert.Equal("case-7", notice.GetProperty("actions")[0].GetProperty("reference").GetString());
    }

    [Fact]
    public async Task A_call_without_a_token_is_401_with_a_status_that_says_where_to_get_one()
    {
        var api = new JsonApiClient(fixture.Hub.Http, token: null);

        var reply = await api.PostAsync("/v1/signals:lookup", """{"queries": []}""");

        Assert.Equal(401, reply.Status);
        Assert.Equal("application/json", reply.ContentType);
        Assert.Equal(16, reply.Code);
        Assert.Contains("POST /connect/token", reply.Message, StringComparison.Ordinal);
        Assert.Contains("Bearer", reply.WwwAuthenticate, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_forged_token_is_401_and_a_token_without_the_scope_is_403_naming_the_scope()
    {
        var forged = new JsonApiClient(fixture.Hub.Http, "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJ4In0.c2lnbmF0dXJl");
        var readOnly = await MemberAsync("signals.read");

        var refusedToken = await forged.GetAsync("/v1/feed");
        var refusedScope = await readOnly.PostAsync("/v1/signals:submit", $$"""{"requestId": "r1", "items": [{"type": "SIGNAL_TYPE_SHA256", "value": "{{RandomHex(32)}}", "categories": ["CATEGORY_CSAM"]}]}""");

        Assert.Equal(401, refusedToken.Status);
        Assert.Contains("access token was refused", refusedToken.Message, StringComparison.Ordinal);
        Assert.Equal(403, refusedScope.Status);
        Assert.Equal(7, refusedScope.Code);
        Assert.Contains("scope=signals.submit", refusedScope.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_admin_route_needs_the_admin_scope_and_serves_an_administrator()
    {
        var member = await MemberAsync("signals.submit signals.read");
        var admin = new JsonApiClient(fixture.Hub.Http, await fixture.Hub.GetTokenAsync(HubInstance.AdminId, HubInstance.AdminSecret, "federation.admin"));
        var id = "json-" + Guid.NewGuid().ToString("N")[..12];

        var refused = await member.GetAsync("/v1/stats");
        var created = await admin.PostAsync("/v1/members", $$"""{"memberId": "{{id}}", "displayName": "JSON member", "scopes": ["signals.read"]}""");
        var read = await admin.GetAsync($"/v1/members/{id}");
        var suspended = await admin.PostAsync($"/v1/members/{id}:suspend", """{"reason": "test"}""");

        Assert.Equal(403, refused.Status);
        Assert.Contains("federation.admin", refused.Message, StringComparison.Ordinal);
        Assert.True(created.Status == 200, created.ToString());
        Assert.False(string.IsNullOrEmpty(created.Json.GetProperty("clientSecret").GetString()));
        Assert.Equal("JSON member", read.Json.GetProperty("member").GetProperty("displayName").GetString());
        Assert.Equal("MEMBER_STATUS_SUSPENDED", suspended.Json.GetProperty("member").GetProperty("status").GetString());
    }

    [Fact]
    public async Task Invalid_requests_are_400_with_the_field_that_is_wrong()
    {
        var api = await MemberAsync("signals.submit signals.read");

        var noRequestId = await api.PostAsync("/v1/signals:submit", $$"""{"items": [{"type": "SIGNAL_TYPE_SHA256", "value": "{{RandomHex(32)}}", "categories": ["CATEGORY_CSAM"]}]}""");
        var notJson = await api.PostAsync("/v1/signals:lookup", "{\"queries\": [");
        var badCursor = await api.GetAsync("/v1/feed?start=SUBSCRIBE_START_CURSOR&cursor=not-a-cursor");

        Assert.Equal(400, noRequestId.Status);
        Assert.Equal(3, noRequestId.Code);
        var violation = Assert.Single(noRequestId.Details("BadRequest")).GetProperty("fieldViolations")[0];
        Assert.Equal("request_id", violation.GetProperty("field").GetString());
        Assert.Equal(400, notJson.Status);
        Assert.Equal(3, notJson.Code);
        Assert.Equal(400, badCursor.Status);
        Assert.StartsWith("cursor:", badCursor.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Over_a_limit_a_call_is_429_with_the_delay_in_retry_info_and_retry_after_and_an_oversized_body_413()
    {
        await using var limited = await HubInstance.StartAsync(fixture.Redis.ConnectionString, settings: new Dictionary<string, string?>
        {
            ["Federation:Signals:RateLimitPerSecond"] = "1",
            ["Federation:Signals:MaxBatchSize"] = "10",
            ["Federation:Fairness:MaxStreamsPerMember"] = "1",
            ["Federation:MaxRequestMessageBytes"] = "65536",
        });
        var (id, secret) = await fixture.CreateMemberAsync();
        var api = new JsonApiClient(limited.Http, await limited.GetTokenAsync(id, secret, "signals.submit signals.read"));
        var items = string.Join(',', Enumerable.Range(0, 10).Select(_ => $$"""{"type": "SIGNAL_TYPE_SHA256", "value": "{{RandomHex(32)}}", "categories": ["CATEGORY_CSAM"]}"""));
        Assert.Equal(200, (await api.PostAsync("/v1/signals:submit", $$"""{"requestId": "a", "items": [{{items}}]}""")).Status);
        using var bound = new CancellationTokenSource(StreamBound);
        using var open = await api.OpenStreamAsync("/v1/feed", bound.Token);

        var rateLimited = await api.PostAsync("/v1/signals:submit", $$"""{"requestId": "b", "items": [{"type": "SIGNAL_TYPE_SHA256", "value": "{{RandomHex(32)}}", "categories": ["CATEGORY_CSAM"]}]}""");
        var secondStream = await api.GetAsync("/v1/feed");
        var oversized = await api.PostAsync("/v1/signals:lookup", $$"""{"queries": [{"type": "SIGNAL_TYPE_SHA256", "value": "{{new string('a', 70_000)}}"}]}""");

        Assert.Equal(429, rateLimited.Status);
        Assert.Equal(8, rateLimited.Code);
        Assert.Contains("retry this batch after", rateLimited.Message, StringComparison.Ordinal);
        var delay = Assert.Single(rateLimited.Details("RetryInfo")).GetProperty("retryDelay").GetString();
        Assert.Matches(@"^\d+(\.\d+)?s$", delay);
        Assert.NotNull(rateLimited.RetryAfter);
        Assert.InRange(long.Parse(rateLimited.RetryAfterMs!, System.Globalization.CultureInfo.InvariantCulture), 1, 2000);
        Assert.Equal(429, secondStream.Status);
        Assert.Contains("MaxStreamsPerMember", secondStream.Message, StringComparison.Ordinal);
        Assert.Equal(413, oversized.Status);
        Assert.Equal(8, oversized.Code);
        Assert.Contains("Federation:MaxRequestMessageBytes", oversized.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_served_openapi_document_is_the_one_checked_into_docs()
    {
        var served = await fixture.Hub.Http.GetStringAsync("openapi/v1.json");
        var path = Path.Combine(RepositoryPaths.Root, "docs", "openapi.json");
        if (Environment.GetEnvironmentVariable("FEDERATION_UPDATE_OPENAPI") == "1")
        {
            // Regenerate after a proto change: FEDERATION_UPDATE_OPENAPI=1 dotnet test --filter ...openapi...
            await File.WriteAllTextAsync(path, served);
        }

        var checkedIn = await File.ReadAllTextAsync(path);

        Assert.True(checkedIn.ReplaceLineEndings() == served.ReplaceLineEndings(),
            "docs/openapi.json differs from what the hub serves at /openapi/v1.json; regenerate it with FEDERATION_UPDATE_OPENAPI=1 (see docs/http-json.md).");
        using var document = JsonDocument.Parse(served);
        var paths = document.RootElement.GetProperty("paths");
        foreach (var route in (string[])["/v1/signals:submit", "/v1/signals:lookup", "/v1/feed", "/v1/members", "/v1/members/{memberId}", "/v1/stats"])
        {
            Assert.True(paths.TryGetProperty(route, out _), $"no {route} in the OpenAPI document");
        }
    }

    private async Task<JsonApiClient> MemberAsync(string scopes)
    {
        var (id, secret) = await fixture.CreateMemberAsync(scopes.Split(' '));
        return new JsonApiClient(fixture.Hub.Http, await fixture.Hub.GetTokenAsync(id, secret, scopes));
    }

    private static async Task SubmitAsync(JsonApiClient api, string sha256)
    {
        var reply = await api.PostAsync("/v1/signals:submit", $$"""
            {"requestId": "{{Guid.NewGuid():N}}", "items": [{"type": "SIGNAL_TYPE_SHA256", "value": "{{sha256}}", "categories": ["CATEGORY_CSAM"]}]}
            """);
        Assert.True(reply.Status == 200 && reply.Json.GetProperty("summary").GetProperty("created").GetInt32() == 1, reply.ToString());
    }

    // Each line is one SubscribeResponse; returns the first update that satisfies the condition.
    private static async Task<JsonElement> ReadUntilAsync(StreamReader lines, Func<JsonElement, bool> condition, CancellationToken ct)
    {
        for (var read = 0; read < 10_000; read++)
        {
            var line = await lines.ReadLineAsync(ct) ?? throw new InvalidOperationException("the feed ended");
            if (line.Length == 0)
            {
                continue;
            }

            using var message = JsonDocument.Parse(line);
            Assert.True(message.RootElement.TryGetProperty("update", out var update), $"not an update: {line}");
            if (condition(update))
            {
                return update.Clone();
            }
        }

        throw new InvalidOperationException("no matching update in 10,000 lines");
    }

    private static string? Value(JsonElement update) =>
        update.TryGetProperty("signal", out var signal) && signal.ValueKind == JsonValueKind.Object ? signal.GetProperty("value").GetString() : null;

    private static string RandomHex(int bytes) => Convert.ToHexString(RandomNumberGenerator.GetBytes(bytes)).ToLowerInvariant();
}
