using System.Net;
using System.Net.Sockets;
using System.Text.Json;
using Federation.Hub.Storage;
using Federation.Hub.Tests.Infrastructure;

namespace Federation.Hub.Tests;

/// <summary>
/// Secret guessing at the real token endpoint is throttled per client id and per source address (HTTP 429 with
/// Retry-After, audited), parallel guessing cannot outrun the limits, and a source that authenticated before keeps
/// working while others guess. Sources are distinct loopback addresses (127.0.0.x), one set per test. The hub keeps
/// the default bursts but refills once an hour (<see cref="SlowRefillHubFixture"/>), so counts are exact.
/// </summary>
public sealed class CredentialGuessingTests(SlowRefillHubFixture fixture) : IClassFixture<SlowRefillHubFixture>
{
    private const int ClientBurst = 5;
    private const int SourceBurst = 30;

    [Fact]
    public async Task Guessing_one_client_id_is_held_to_the_burst_then_refused_with_429()
    {
        var (id, secret) = await fixture.CreateMemberAsync();
        using var attacker = From("127.0.0.11");
        using var elsewhere = From("127.0.0.12");

        var statuses = new List<HttpStatusCode>();
        for (var i = 0; i < ClientBurst + 5; i++)
        {
            using var guess = await RequestAsync(attacker, id, $"fs_guess-{i}");
            statuses.Add(guess.StatusCode);
        }

        using var refused = await RequestAsync(attacker, id, "fs_guess-last");
        using var rightFromUnknownSource = await RequestAsync(elsewhere, id, secret);

        Assert.Equal(Enumerable.Repeat(HttpStatusCode.Unauthorized, ClientBurst), statuses.Take(ClientBurst));
        Assert.All(statuses.Skip(ClientBurst), s => Assert.Equal(HttpStatusCode.TooManyRequests, s));
        Assert.Equal(HttpStatusCode.TooManyRequests, refused.StatusCode);
        Assert.InRange(refused.Headers.RetryAfter!.Delta!.Value.TotalSeconds, 1, 3600);
        Assert.Equal("temporarily_unavailable", await ErrorAsync(refused));
        // Until someone authenticates from a source, it shares the client id's limit with the guesser.
        Assert.Equal(HttpStatusCode.TooManyRequests, rightFromUnknownSource.StatusCode);
    }

    [Fact]
    public async Task Throttled_guessing_is_audited_once_per_interval_without_secrets()
    {
        var (id, _) = await fixture.CreateMemberAsync();
        using var attacker = From("127.0.0.13");
        for (var i = 0; i < ClientBurst + 6; i++)
        {
            using var _ = await RequestAsync(attacker, id, $"fs_secret-guess-{i}");
        }

        var audit = (await fixture.Hub.Services.GetRequiredService<AuditLog>().ReadAsync(0, 100_000)).Where(e => e.Subject == id).ToArray();
        var throttled = audit.Where(e => e.Action == "auth.throttled").ToArray();
        var logged = fixture.Hub.Logs.Lines.Count(l => l.Contains("throttled", StringComparison.Ordinal) && l.Contains(id, StringComparison.Ordinal));

        Assert.Equal(ClientBurst, audit.Count(e => e.Action == "auth.failure"));
        var entry = Assert.Single(throttled);
        Assert.Contains("limit=client-id", entry.Detail, StringComparison.Ordinal);
        Assert.Contains("source=127.0.0.0/24", entry.Detail, StringComparison.Ordinal);
        Assert.Equal(1, logged);
        Assert.DoesNotContain(audit, e => e.Detail.Contains("guess", StringComparison.Ordinal));
        Assert.DoesNotContain(fixture.Hub.Logs.Lines, l => l.Contains("fs_secret-guess", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Source_that_authenticated_before_keeps_working_while_another_guesses()
    {
        var (id, secret) = await fixture.CreateMemberAsync();
        using var member = From("127.0.0.21");
        using var attacker = From("127.0.0.22");
        using (var first = await RequestAsync(member, id, secret))
        {
            Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        }

        for (var i = 0; i < ClientBurst + 3; i++)
        {
            using var _ = await RequestAsync(attacker, id, $"fs_guess-{i}");
        }

        using var attackerRefused = await RequestAsync(attacker, id, "fs_guess-last");
        using var memberAgain = await RequestAsync(member, id, secret);

        Assert.Equal(HttpStatusCode.TooManyRequests, attackerRefused.StatusCode);
        Assert.Equal(HttpStatusCode.OK, memberAgain.StatusCode);
    }

    [Fact]
    public async Task Parallel_guessing_cannot_outrun_the_limit()
    {
        var (id, _) = await fixture.CreateMemberAsync();
        using var attacker = From("127.0.0.31");

        var guesses = await Task.WhenAll(Enumerable.Range(0, 40).Select(async i =>
        {
            using var response = await RequestAsync(attacker, id, $"fs_parallel-{i}");
            return response.StatusCode;
        }));

        Assert.Equal(ClientBurst, guesses.Count(s => s == HttpStatusCode.Unauthorized));
        Assert.Equal(40, guesses.Count(s => s is HttpStatusCode.Unauthorized or HttpStatusCode.TooManyRequests));
    }

    [Fact]
    public async Task One_source_spraying_many_client_ids_is_throttled()
    {
        using var sprayer = From("127.0.0.41");

        var statuses = new List<HttpStatusCode>();
        for (var i = 0; i < SourceBurst + 3; i++)
        {
            using var response = await RequestAsync(sprayer, $"nobody-{i}-{Guid.NewGuid():N}"[..20], "fs_whatever");
            statuses.Add(response.StatusCode);
        }

        Assert.Equal(Enumerable.Repeat(HttpStatusCode.Unauthorized, SourceBurst), statuses.Take(SourceBurst));
        Assert.All(statuses.Skip(SourceBurst), s => Assert.Equal(HttpStatusCode.TooManyRequests, s));
    }

    [Fact]
    public async Task Right_secrets_give_their_attempts_back()
    {
        var (id, secret) = await fixture.CreateMemberAsync();
        using var member = From("127.0.0.51");

        var statuses = new List<HttpStatusCode>();
        for (var i = 0; i < SourceBurst + 10; i++)
        {
            using var response = await RequestAsync(member, id, secret);
            statuses.Add(response.StatusCode);
        }

        // More requests than any limit's burst: successes are not counted against the member.
        Assert.All(statuses, s => Assert.Equal(HttpStatusCode.OK, s));
    }

    private HttpClient From(string source)
    {
        var handler = new SocketsHttpHandler
        {
            ConnectCallback = async (context, cancellation) =>
            {
                var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
                try
                {
                    socket.Bind(new IPEndPoint(IPAddress.Parse(source), 0));
                    await socket.ConnectAsync(context.DnsEndPoint, cancellation);
                    return new NetworkStream(socket, ownsSocket: true);
                }
                catch
                {
                    socket.Dispose();
                    throw;
                }
            },
        };
        return new HttpClient(handler) { BaseAddress = fixture.Hub.Http.BaseAddress };
    }

    private static Task<HttpResponseMessage> RequestAsync(HttpClient http, string clientId, string secret) =>
        http.PostAsync("connect/token", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["grant_type"] = "client_credentials",
            ["client_id"] = clientId,
            ["client_secret"] = secret,
        }));

    private static async Task<string?> ErrorAsync(HttpResponseMessage response)
    {
        using var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        return json.RootElement.GetProperty("error").GetString();
    }
}
