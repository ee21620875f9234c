using System.Security.Cryptography;
using Federation.Client.Hashing;
using Federation.Contracts.V1;
using Federation.Hub.Tests.Infrastructure;

namespace Federation.Client.Tests.Integration;

/// <summary>
/// A coalition key rotation through the SDK against a real hub (docs/security.md, "Key rotation"): during the window a
/// member holding both keys submits and looks up under both, so members still on the old key and members already on the
/// new one keep matching it; a value submitted under the old key only is invisible under the new key.
/// </summary>
public sealed class KeyRotationTests(HubFixture fixture) : IClassFixture<HubFixture>
{
    private static readonly CoalitionKey Old = new("k-old", RandomNumberGenerator.GetBytes(32));
    private static readonly CoalitionKey New = new("k-new", RandomNumberGenerator.GetBytes(32));

    [Fact]
    public async Task During_a_rotation_window_values_submitted_under_both_keys_match_members_on_either_key()
    {
        using var rotating = await TestClients.NewMemberAsync(fixture);
        using var stillOld = await TestClients.NewMemberAsync(fixture);
        using var alreadyNew = await TestClients.NewMemberAsync(fixture);
        var window = new CoalitionKeyRing([New, Old]);
        var account = "groomer-" + Guid.NewGuid().ToString("N");
        var beforeWindow = "earlier-" + Guid.NewGuid().ToString("N");

        await rotating.SubmitAsync(new CoalitionKeyRing([Old]).Account("instagram", beforeWindow).Select(v => v.ToSubmission(Category.Grooming)));
        var submitted = await rotating.SubmitAsync(window.Account("Instagram ", account).Select(v => v.ToSubmission(Category.Grooming)));
        var oldHits = await LookupAsync(stillOld, new CoalitionKeyRing([Old]).Account("instagram", account));
        var newHits = await LookupAsync(alreadyNew, new CoalitionKeyRing([New]).Account("instagram", account));
        var windowHits = await LookupAsync(alreadyNew, window.Account("instagram", account));
        var earlierUnderNew = await LookupAsync(alreadyNew, new CoalitionKeyRing([New]).Account("instagram", beforeWindow));
        var earlierInWindow = await LookupAsync(alreadyNew, window.Account("instagram", beforeWindow));

        Assert.Equal(2, submitted.Created);
        Assert.Equal(["k-new", "k-old"], submitted.Results.Select(r => r.SignalId.Split(':')[1]));
        Assert.Equal(("k-old", SignalType.AccountHmacSha256), (Assert.Single(oldHits).KeyId, oldHits[0].Type));
        Assert.Equal(KeyedHashing.Account(Old, "instagram", account).SignalId, oldHits[0].Id);
        Assert.Equal(KeyedHashing.Account(New, "instagram", account).SignalId, Assert.Single(newHits).Id);
        Assert.Equal(["k-new", "k-old"], windowHits.Select(s => s.KeyId));
        Assert.Empty(earlierUnderNew);
        Assert.Equal("k-old", Assert.Single(earlierInWindow).KeyId);
    }

    [Fact]
    public async Task Opinions_and_retraction_take_the_keyed_reference_and_apply_to_that_key_ids_record_only()
    {
        using var member = await TestClients.NewMemberAsync(fixture);
        var values = new CoalitionKeyRing([New, Old]).Payment("btc", "bc1q" + Guid.NewGuid().ToString("N"));
        await member.SubmitAsync(values.Select(v => v.ToSubmission(Category.Sextortion)));

        var opinion = await member.SetOpinionAsync(values[0].ToSignalRef(), Opinion.Confirmed);
        var retracted = await member.RetractAsync(values[1].ToSignalRef());
        var remaining = await LookupAsync(member, values);

        Assert.Equal(("k-new", 1u), (opinion.Signal.KeyId, opinion.Signal.Opinions.Confirmed));
        Assert.Equal(("k-old", SignalStatus.Retracted), (retracted.KeyId, retracted.Status));
        var active = Assert.Single(remaining, s => s.Status == SignalStatus.Active);
        Assert.Equal("k-new", active.KeyId);
    }

    private static async Task<List<Signal>> LookupAsync(FederationClient client, IEnumerable<KeyedValue> values)
    {
        var results = await client.LookupAsync(values.Select(v => v.ToLookupQuery()));
        Assert.All(results, r => Assert.Null(r.Error));
        return [.. results.SelectMany(r => r.Matches).Select(m => m.Signal)];
    }
}
