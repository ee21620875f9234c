using System.IO.Compression;
using Federation.Contracts.V1;
using Federation.Hub.Signals;
using Federation.Hub.Tests.Infrastructure;
using Federation.Hub.Tests.Signals;
using Google.Protobuf;
using Grpc.Core;
using StackExchange.Redis;
using static Federation.Hub.Tests.Signals.SignalTestKit;

namespace Federation.Hub.Tests.Grpc;

/// <summary>
/// Raw gRPC frames no client library would send (issue 12, item 3), against the real hub over h2c with real tokens: every
/// undecodable request is INVALID_ARGUMENT and every oversized one RESOURCE_EXHAUSTED, each with a message; afterwards the
/// hub serves normally and Redis holds exactly what it held before.
/// </summary>
public sealed class MalformedRequestTests(HubFixture fixture) : IClassFixture<HubFixture>
{
    private const int Limit = 8 * 1024 * 1024;

    /// <summary>A method under test: its path, a valid request carrying <c>value</c>, and a string field holding bytes FF FE.</summary>
    private sealed record Target(string Path, Func<string, byte[]> Valid, byte[] BadUtf8, bool Admin = false);

    /// <summary>One malformation: the body sent, the grpc-encoding header, and the expected status and words of the message.</summary>
    private sealed record Case(string Name, Func<Target, string, byte[]> Body, string? Encoding, StatusCode Status, string Says);

    private static readonly Dictionary<string, Target> Targets = new()
    {
        ["Submit"] = new("/federation.v1.SignalService/Submit",
            value => new SubmitRequest { RequestId = "raw-1", Items = { Sha256(value) } }.ToByteArray(),
            [0x0A, 0x02, 0xFF, 0xFE]),
        ["Lookup"] = new("/federation.v1.SignalService/Lookup",
            value => new LookupRequest { Queries = { new LookupQuery { Type = SignalType.Sha256, Value = value } } }.ToByteArray(),
            [0x0A, 0x04, 0x12, 0x02, 0xFF, 0xFE]),
        ["SubmitStream"] = new("/federation.v1.SignalService/SubmitStream",
            value => new SubmitStreamRequest { RequestId = "raw-2", Items = { Sha256(value) } }.ToByteArray(),
            [0x0A, 0x02, 0xFF, 0xFE]),
        ["Subscribe"] = new("/federation.v1.SignalService/Subscribe",
            _ => new SubscribeRequest { Start = SubscribeStart.Latest, Filter = new SubscribeFilter { Types_ = { SignalType.Sha256 } } }.ToByteArray(),
            [0x12, 0x02, 0xFF, 0xFE]),
        ["GetMember"] = new("/federation.v1.MembershipService/GetMember",
            _ => new GetMemberRequest { MemberId = HubInstance.AdminId }.ToByteArray(),
            [0x0A, 0x02, 0xFF, 0xFE], Admin: true),
    };

    private static readonly Case[] Cases =
    [
        new("invalid UTF-8 in a string field", (t, v) => RawGrpcCall.Frame([.. t.Valid(v), .. t.BadUtf8]), null, StatusCode.InvalidArgument, "UTF-8"),
        new("truncated message", (t, v) => RawGrpcCall.Frame(t.Valid(v)[..^1]), null, StatusCode.InvalidArgument, "could not be decoded"),
        new("length prefix past the buffer", (t, v) => RawGrpcCall.Frame([.. t.Valid(v), 0x12, 0x64, 0x01, 0x02]), null, StatusCode.InvalidArgument, "could not be decoded"),
        new("tag 0", (t, v) => RawGrpcCall.Frame([.. t.Valid(v), 0x00, 0x01]), null, StatusCode.InvalidArgument, "invalid tag"),
        new("11-byte varint", (t, v) => RawGrpcCall.Frame([.. t.Valid(v), 0x18, .. Enumerable.Repeat((byte)0xFF, 10), 0x01]), null, StatusCode.InvalidArgument, "varint"),
        new("10,000 nested groups", (t, v) => RawGrpcCall.Frame([.. t.Valid(v), .. Enumerable.Repeat((byte)0x7B, 10_000)]), null, StatusCode.InvalidArgument, "nesting"),
        new("compressed flag, no grpc-encoding", (t, v) => RawGrpcCall.Frame(t.Valid(v), flag: 1), null, StatusCode.InvalidArgument, "grpc-encoding"),
        new("compressed flag, gzip declared, body not gzip", (t, v) => RawGrpcCall.Frame(t.Valid(v), flag: 1), "gzip", StatusCode.InvalidArgument, "does not decompress"),
        new("compressed flag 2", (t, v) => RawGrpcCall.Frame(t.Valid(v), flag: 2), null, StatusCode.InvalidArgument, "compressed flag is 2"),
        new("frame header claiming 4 GiB", (t, v) => RawGrpcCall.Frame(t.Valid(v), declaredLength: uint.MaxValue), null, StatusCode.ResourceExhausted, "4,294,967,295 bytes"),
        new("frame header one byte over the limit", (t, v) => RawGrpcCall.Frame(t.Valid(v), declaredLength: Limit + 1), null, StatusCode.ResourceExhausted, "limit of 8,388,608"),
        new("gzip that inflates past the limit", (_, _) => RawGrpcCall.Frame(Gzip(new byte[Limit + 1024]), flag: 1), "gzip", StatusCode.ResourceExhausted, "limit of 8,388,608"),
    ];

    public static TheoryData<string> Methods => [.. Targets.Keys];

    [Theory]
    [MemberData(nameof(Methods))]
    public async Task Malformed_requests_get_a_status_naming_the_fault_and_change_nothing(string method)
    {
        var target = Targets[method];
        var token = await TokenAsync(target);
        var value = RandomSha256();
        using var http = RawGrpcCall.CreateClient();
        var before = await SettledStoreContentsAsync();

        var wrong = new List<string>();
        foreach (var c in Cases)
        {
            var answer = await RawGrpcCall.SendAsync(http, fixture.Hub.GrpcAddress, target.Path, token, c.Body(target, value), c.Encoding);
            if (answer.GrpcStatus != (int)c.Status || answer.GrpcMessage?.Contains(c.Says, StringComparison.Ordinal) != true)
            {
                wrong.Add($"{c.Name}: expected {c.Status} saying '{c.Says}', got HTTP {answer.HttpStatus} grpc-status {answer.GrpcStatus} '{answer.GrpcMessage}'");
            }
        }

        await FlushCountersAsync();
        var after = await StoreContentsAsync();

        Assert.Empty(wrong);
        // Nothing new and nothing grown (a rate-limit bucket of an earlier member may expire meanwhile).
        Assert.Empty(after.Except(before));
        var member = await fixture.CreateSignalMemberAsync();
        Assert.Empty((await member.LookupOneAsync(SignalType.Sha256, value)).Matches);
        Assert.Equal(SubmitOutcome.Created, (await member.SubmitAsync(Sha256(RandomSha256()))).Results[0].Outcome);
    }

    [Fact]
    public async Task A_well_formed_raw_request_is_served_so_the_cases_test_the_malformation()
    {
        var target = Targets["Lookup"];
        using var http = RawGrpcCall.CreateClient();

        var answer = await RawGrpcCall.SendAsync(http, fixture.Hub.GrpcAddress, target.Path, await TokenAsync(target), RawGrpcCall.Frame(target.Valid(RandomSha256())));

        Assert.Equal(0, answer.GrpcStatus);
    }

    [Fact]
    public async Task Method_authorization_is_kept_by_the_checked_binder()
    {
        var (id, secret) = await fixture.CreateMemberAsync(scopes: ["signals.read"]);
        var token = await fixture.Hub.GetTokenAsync(id, secret);
        using var http = RawGrpcCall.CreateClient();

        var submit = await RawGrpcCall.SendAsync(http, fixture.Hub.GrpcAddress, Targets["Submit"].Path, token, RawGrpcCall.Frame(Targets["Submit"].Valid(RandomSha256())));
        var lookup = await RawGrpcCall.SendAsync(http, fixture.Hub.GrpcAddress, Targets["Lookup"].Path, token, RawGrpcCall.Frame(Targets["Lookup"].Valid(RandomSha256())));

        // The method's [Authorize(Policy = signals.submit)] must win over the type's plain [Authorize]. ASP.NET Core
        // authorization refuses with HTTP 403 before gRPC runs (clients read it as PERMISSION_DENIED).
        Assert.True(submit.HttpStatus == 403 || submit.GrpcStatus == (int)StatusCode.PermissionDenied, $"Submit without the submit scope: {submit}");
        Assert.Equal(0, lookup.GrpcStatus);
    }

    private async Task<string> TokenAsync(Target target)
    {
        if (target.Admin)
        {
            return await fixture.Hub.GetTokenAsync(HubInstance.AdminId, HubInstance.AdminSecret, "federation.admin");
        }

        var (id, secret) = await fixture.CreateMemberAsync();
        return await fixture.Hub.GetTokenAsync(id, secret);
    }

    // The hub finishes some work of an earlier call after answering it (the remembered response of a batch, the feed
    // tail): wait, bounded, until two snapshots agree before taking the one to compare against.
    // The submission audit and the transparency counters reach Redis by themselves every few seconds: flushed here, so
    // what earlier calls counted is in before the snapshot, and what lands after it is what the malformed calls wrote.
    private async Task FlushCountersAsync()
    {
        await fixture.Hub.Services.GetRequiredService<SubmissionAuditBatcher>().FlushAsync();
        await fixture.Hub.Services.GetRequiredService<Federation.Hub.Governance.TransparencyCounters>().FlushAsync();
    }

    private async Task<List<string>> SettledStoreContentsAsync()
    {
        await FlushCountersAsync();
        var previous = await StoreContentsAsync();
        for (var attempt = 0; attempt < 50; attempt++)
        {
            await Task.Delay(100);
            var current = await StoreContentsAsync();
            if (current.SequenceEqual(previous))
            {
                return current;
            }

            previous = current;
        }

        Assert.Fail("the store did not settle within 5 s before the malformed requests");
        return previous;
    }

    // Every key with its type and size; the sweep lease (a short-lived lock the expiry sweeper takes on its own) aside.
    private async Task<List<string>> StoreContentsAsync()
    {
        var server = fixture.RedisConnection.GetServers()[0];
        var db = fixture.RedisConnection.GetDatabase();
        var contents = new List<string>();
        await foreach (var key in server.KeysAsync(pattern: "*", pageSize: 1000))
        {
            if (key == "fed:sweep-lease")
            {
                continue;
            }

            var type = await db.KeyTypeAsync(key);
            if (type == RedisType.None)
            {
                continue; // expired since the scan listed it
            }

            var size = type switch
            {
                RedisType.Hash => await db.HashLengthAsync(key),
                RedisType.Stream => await db.StreamLengthAsync(key),
                RedisType.Set => await db.SetLengthAsync(key),
                RedisType.SortedSet => await db.SortedSetLengthAsync(key),
                RedisType.String => await db.StringLengthAsync(key),
                _ => -1,
            };
            contents.Add($"{key} {type} {size}");
        }

        contents.Sort(StringComparer.Ordinal);
        return contents;
    }

    private static byte[] Gzip(byte[] data)
    {
        using var output = new MemoryStream();
        using (var gzip = new GZipStream(output, CompressionLevel.Fastest))
        {
            gzip.Write(data);
        }

        return output.ToArray();
    }
}
