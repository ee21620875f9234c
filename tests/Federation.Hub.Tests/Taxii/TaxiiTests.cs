using System.Security.Cryptography;
using System.Text.Json;
using Federation.Contracts.V1;
using Federation.Hub.Taxii;
using Federation.Hub.Tests.Infrastructure;
using Federation.Hub.Tests.Signals;
using static Federation.Hub.Tests.Signals.SignalTestKit;

namespace Federation.Hub.Tests.Taxii;

/// <summary>
/// The TAXII 2.1 server over plain HTTP against a real hub, real Redis and real tokens: resources valid against TAXII 2.1
/// and STIX 2.1, paging, filters, sharing-group invisibility, refusals. Each test reads a collection of its own sharing
/// group (or filters by its own ids), so tests sharing the hub do not see each other's signals.
/// </summary>
public sealed class TaxiiTests(TaxiiHubFixture fixture) : IClassFixture<TaxiiHubFixture>
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task Discovery_api_root_and_collections_are_valid_and_list_the_callers_groups_only()
    {
        var (group, other) = (NewGroup(), NewGroup());
        var (_, taxii) = await MemberAsync(group);
        await MemberAsync(other);

        var discovery = await taxii.GetOkAsync("taxii2/");
        var root = await taxii.GetOkAsync(TaxiiClient.Root);
        var collections = await taxii.GetOkAsync(TaxiiClient.Root + "collections/");
        var mine = await taxii.GetOkAsync($"{TaxiiClient.Root}collections/{StixIds.Collection(group)}/");

        TaxiiValidator.Discovery(discovery.Json);
        Assert.EndsWith("/taxii2/api/", discovery.Json.GetProperty("default").GetString(), StringComparison.Ordinal);
        TaxiiValidator.ApiRoot(root.Json);
        var listed = collections.Json.GetProperty("collections").EnumerateArray().ToList();
        listed.ForEach(TaxiiValidator.Collection);
        Assert.Equal([StixIds.Collection(""), StixIds.Collection(group)], listed.Select(c => c.GetProperty("id").GetString()));
        Assert.All(listed, c => Assert.False(c.GetProperty("can_write").GetBoolean()));
        TaxiiValidator.Collection(mine.Json);
        Assert.Equal("Test coalition", discovery.Json.GetProperty("title").GetString());
    }

    [Fact]
    public async Task Every_signal_type_is_a_valid_indicator_with_its_pattern_and_deterministic_id()
    {
        var group = NewGroup();
        var (member, taxii) = await MemberAsync(group);
        var sha256 = RandomHex(32);
        var md5 = RandomHex(16);
        var sha1 = RandomHex(20);
        var pdq = RandomHex(32);
        var url = RandomHex(32);
        var submitted = await member.SubmitAsync(
            Sha256(sha256, Category.Csam, Category.Grooming).InGroup(group),
            Item(SignalType.Md5, md5).InGroup(group),
            Item(SignalType.Sha1, sha1).InGroup(group),
            Item(SignalType.Pdq, pdq, quality: 90).InGroup(group),
            Item(SignalType.UrlSha256, url, Category.Sextortion).InGroup(group));

        var objects = await AllObjectsAsync(taxii, group, expectedIndicators: 5);

        var extension = StixIds.SignalExtension;
        var patterns = objects.Where(o => Type(o) == "indicator").ToDictionary(o => o.GetProperty("id").GetString()!, o => o.GetProperty("pattern").GetString());
        var ids = submitted.Results.Select(r => "indicator--" + StixIds.Indicator(r.RecordId).ToString("D")).ToList();
        Assert.Equal($"[file:hashes.'SHA-256' = '{sha256}']", patterns[ids[0]]);
        Assert.Equal($"[file:hashes.'MD5' = '{md5}']", patterns[ids[1]]);
        Assert.Equal($"[file:hashes.'SHA-1' = '{sha1}']", patterns[ids[2]]);
        Assert.Equal($"[file:extensions.'{extension}'.pdq = '{pdq}']", patterns[ids[3]]);
        Assert.Equal($"[url:extensions.'{extension}'.url_sha256 = '{url}']", patterns[ids[4]]);

        var first = objects.Single(o => o.GetProperty("id").GetString() == ids[0]);
        Assert.Equal("stix", first.GetProperty("pattern_type").GetString());
        Assert.Equal(["csam", "grooming"], first.GetProperty("labels").EnumerateArray().Select(l => l.GetString()));
        Assert.Equal(StixIds.CoalitionIdentity, first.GetProperty("created_by_ref").GetString());
        Assert.False(first.TryGetProperty("revoked", out _));
        Assert.True(first.TryGetProperty("valid_until", out _)); // the default retention gives every record an expiry
        var meta = first.GetProperty("extensions").GetProperty(extension);
        Assert.Equal("property-extension", meta.GetProperty("extension_type").GetString());
        Assert.Equal(submitted.Results[0].RecordId, meta.GetProperty("record_id").GetString());
        Assert.Equal(group, meta.GetProperty("sharing_group").GetString());
        Assert.Equal(90, objects.Single(o => o.GetProperty("id").GetString() == ids[3]).GetProperty("extensions").GetProperty(extension).GetProperty("pdq_quality").GetInt32());

        // The definitions every indicator refers to are in the collection.
        Assert.Contains(objects, o => Type(o) == "identity" && o.GetProperty("id").GetString() == StixIds.CoalitionIdentity);
        Assert.Contains(objects, o => Type(o) == "extension-definition" && o.GetProperty("id").GetString() == extension);
    }

    [Fact]
    public async Task A_keyed_signal_is_an_indicator_whose_pattern_compares_the_hmac_and_its_key_id()
    {
        var group = NewGroup();
        var (member, taxii) = await MemberAsync(group);
        var value = RandomHex(32);
        string[] keyIds = ["k-old", "k-new"];
        var items = keyIds.Select(keyId =>
        {
            var item = Item(SignalType.AccountHmacSha256, value, Category.PredatoryAccount).InGroup(group);
            item.KeyId = keyId;
            return item;
        }).ToArray();
        var submitted = await member.SubmitAsync(items);

        var objects = await AllObjectsAsync(taxii, group, expectedIndicators: 2);

        var extension = StixIds.SignalExtension;
        foreach (var (result, keyId) in submitted.Results.Zip(keyIds))
        {
            var indicator = objects.Single(o => o.GetProperty("id").GetString() == "indicator--" + StixIds.Indicator(result.RecordId).ToString("D"));
            TaxiiValidator.StixObject(indicator);
            Assert.Equal(
                $"[user-account:extensions.'{extension}'.account_hmac_sha256 = '{value}' AND user-account:extensions.'{extension}'.hmac_key_id = '{keyId}']",
                indicator.GetProperty("pattern").GetString());
            Assert.Equal("ACCOUNT_HMAC_SHA256 signal", indicator.GetProperty("name").GetString());
            var meta = indicator.GetProperty("extensions").GetProperty(extension);
            Assert.Equal("account_hmac_sha256", meta.GetProperty("signal_type").GetString());
            Assert.Equal(keyId, meta.GetProperty("key_id").GetString());
            Assert.Equal($"account_hmac_sha256:{keyId}:{value}@{group}", meta.GetProperty("record_id").GetString());
        }

        var definition = objects.Single(o => Type(o) == "extension-definition");
        Assert.Equal(StixWriter.ExtensionVersion, definition.GetProperty("version").GetString());
        Assert.Contains("hmac_key_id", definition.GetProperty("description").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Retraction_revokes_the_indicator_with_a_later_modified_and_date_added()
    {
        var group = NewGroup();
        var (member, taxii) = await MemberAsync(group);
        var value = RandomSha256();
        var recordId = (await member.SubmitAsync(Sha256(value).InGroup(group))).Results[0].RecordId;
        var id = "indicator--" + StixIds.Indicator(recordId).ToString("D");
        var before = (await AllObjectsAsync(taxii, group, expectedIndicators: 1)).Single(o => o.GetProperty("id").GetString() == id);
        var manifestBefore = await taxii.GetOkAsync($"{TaxiiClient.Root}collections/{StixIds.Collection(group)}/manifest/?match[id]={id}");

        await member.Client.RetractAsync(new RetractRequest { Signal = Ref(value), SharingGroup = group });
        JsonElement after = default;
        await Eventually.UntilAsync(async () =>
        {
            var found = Objects(await taxii.ObjectsAsync(StixIds.Collection(group), $"?match[id]={id}"));
            after = found.SingleOrDefault();
            return found.Count == 1 && after.TryGetProperty("revoked", out _);
        }, Wait, "the retraction to reach TAXII");
        var manifestAfter = await taxii.GetOkAsync($"{TaxiiClient.Root}collections/{StixIds.Collection(group)}/manifest/?match[id]={id}");

        TaxiiValidator.StixObject(after);
        Assert.True(after.GetProperty("revoked").GetBoolean());
        Assert.Equal("retracted", after.GetProperty("extensions").GetProperty(StixIds.SignalExtension).GetProperty("status").GetString());
        Assert.Equal(before.GetProperty("created").GetString(), after.GetProperty("created").GetString());
        Assert.True(TaxiiValidator.Timestamp(after.GetProperty("modified"), "modified") > TaxiiValidator.Timestamp(before.GetProperty("modified"), "modified"));
        TaxiiValidator.Manifest(manifestAfter.Json);
        var addedBefore = TaxiiValidator.Timestamp(manifestBefore.Objects.Single().GetProperty("date_added"), "date_added");
        var addedAfter = TaxiiValidator.Timestamp(manifestAfter.Objects.Single().GetProperty("date_added"), "date_added");
        Assert.True(addedAfter > addedBefore, "a new version is added after the old one");
        Assert.Equal(after.GetProperty("modified").GetString(), manifestAfter.Objects.Single().GetProperty("version").GetString());
    }

    [Fact]
    public async Task A_quarantined_indicator_is_withheld_and_an_overturned_one_is_revoked()
    {
        var group = NewGroup();
        var (member, taxii) = await MemberAsync(group);
        var value = RandomSha256();
        var recordId = (await member.SubmitAsync(Sha256(value).InGroup(group))).Results[0].RecordId;
        var id = "indicator--" + StixIds.Indicator(recordId).ToString("D");
        await AllObjectsAsync(taxii, group, expectedIndicators: 1);
        var governance = await Governance.GovernanceTestKit.GovernanceClientAsync(fixture);

        await governance.QuarantineSignalAsync(new QuarantineSignalRequest { Signal = Ref(value), SharingGroup = group, Reason = "under review" });
        await Eventually.UntilAsync(async () => Objects(await taxii.ObjectsAsync(StixIds.Collection(group), $"?match[id]={id}")).Count == 0, Wait, "the quarantine to withhold the indicator");
        await governance.OverturnSignalAsync(new OverturnSignalRequest { Signal = Ref(value), SharingGroup = group, Reason = "benign" });
        JsonElement after = default;
        await Eventually.UntilAsync(async () =>
        {
            var found = Objects(await taxii.ObjectsAsync(StixIds.Collection(group), $"?match[id]={id}"));
            after = found.SingleOrDefault();
            return found.Count == 1;
        }, Wait, "the overturn to reach TAXII");

        TaxiiValidator.StixObject(after);
        Assert.True(after.GetProperty("revoked").GetBoolean());
        Assert.Equal("overturned", after.GetProperty("extensions").GetProperty(StixIds.SignalExtension).GetProperty("status").GetString());
    }

    [Fact]
    public async Task An_indicator_carries_the_records_confidence_and_its_TLP_2_marking()
    {
        var group = NewGroup();
        var (member, taxii) = await MemberAsync(group);
        var labelled = Sha256(RandomSha256()).InGroup(group);
        labelled.Confidence = 85;
        labelled.ShareLevel = ShareLevel.Amber;
        var plain = Sha256(RandomSha256()).InGroup(group);
        var results = (await member.SubmitAsync(labelled, plain)).Results;
        string IdOf(int i) => "indicator--" + StixIds.Indicator(results[i].RecordId).ToString("D");

        var objects = await AllObjectsAsync(taxii, group, expectedIndicators: 2);
        var amber = objects.Single(o => o.GetProperty("id").GetString() == IdOf(0));
        var green = objects.Single(o => o.GetProperty("id").GetString() == IdOf(1));

        TaxiiValidator.StixObject(amber);
        Assert.Equal(85, amber.GetProperty("confidence").GetInt32());
        Assert.Equal("marking-definition--55d920b0-5e8b-4f79-9ee9-91f868d9b421", Assert.Single(amber.GetProperty("object_marking_refs").EnumerateArray()).GetString());
        // No confidence stated: none in STIX either (STIX's confidence is optional, absent means unknown); unstated level is GREEN.
        Assert.False(green.TryGetProperty("confidence", out _));
        Assert.Equal("marking-definition--bab4a63c-aed9-4cf5-a766-dfca5abac2bb", Assert.Single(green.GetProperty("object_marking_refs").EnumerateArray()).GetString());
    }

    [Fact]
    public async Task Paging_with_next_visits_every_object_version_exactly_once_while_signals_arrive()
    {
        var group = NewGroup();
        var (member, taxii) = await MemberAsync(group);
        var (other, _) = await MemberAsync(group);
        var initial = Enumerable.Range(0, 300).Select(_ => RandomSha256()).ToList();
        foreach (var chunk in initial.Chunk(100))
        {
            await member.SubmitAsync(chunk.Select(v => Sha256(v).InGroup(group)).ToArray());
        }

        var added = new List<string>();
        using var stop = new CancellationTokenSource();
        // Concurrently: new signals, and corroborations that give existing records a new version (they move to the end).
        var writer = Task.Run(async () =>
        {
            for (var round = 0; round < 40 && !stop.IsCancellationRequested; round++)
            {
                var fresh = Enumerable.Range(0, 5).Select(_ => RandomSha256()).ToList();
                lock (added)
                {
                    added.AddRange(fresh);
                }

                await member.SubmitAsync(fresh.Select(v => Sha256(v).InGroup(group)).ToArray());
                await other.SubmitAsync(Sha256(initial[round * 7 % initial.Count]).InGroup(group));
            }
        });

        var seen = new List<(string Id, string Modified)>();
        var collection = StixIds.Collection(group);
        string? next = null;
        string? lastDate = null;
        var expected = new HashSet<string>(initial.Select(v => IndicatorId(v, group)));
        for (var pageCount = 0; pageCount < 2_000; pageCount++)
        {
            var query = next is not null ? $"?limit=17&next={next}" : lastDate is not null ? $"?limit=17&added_after={lastDate}" : "?limit=17";
            var page = await taxii.GetOkAsync($"{TaxiiClient.Root}collections/{collection}/objects/{query}");
            TaxiiValidator.Envelope(page.Json);
            foreach (var o in page.Objects.Where(o => Type(o) == "indicator"))
            {
                seen.Add((o.GetProperty("id").GetString()!, o.GetProperty("modified").GetString()!));
            }

            lastDate = page.DateAddedLast ?? lastDate;
            next = page.More ? page.Next : null;
            if (writer.IsCompleted && !page.More)
            {
                lock (added)
                {
                    expected.UnionWith(added.Select(v => IndicatorId(v, group)));
                }

                if (expected.IsSubsetOf(seen.Select(s => s.Id)))
                {
                    break;
                }
            }
        }

        await stop.CancelAsync();
        await writer;
        Assert.Empty(seen.GroupBy(s => s).Where(g => g.Count() > 1).Select(g => g.Key));
        Assert.Subset(seen.Select(s => s.Id).ToHashSet(), expected);
        Assert.Equal(expected.Count, seen.Select(s => s.Id).Distinct().Count());
    }

    [Fact]
    public async Task Added_after_returns_only_objects_added_later_and_the_headers_bound_the_page()
    {
        var group = NewGroup();
        var (member, taxii) = await MemberAsync(group);
        var collection = StixIds.Collection(group);
        await member.SubmitAsync(Enumerable.Range(0, 10).Select(_ => Sha256(RandomSha256()).InGroup(group)).ToArray());
        await AllObjectsAsync(taxii, group, expectedIndicators: 10);
        var firstBatch = await taxii.GetOkAsync($"{TaxiiClient.Root}collections/{collection}/manifest/");
        var cut = firstBatch.DateAddedLast!;

        var later = Enumerable.Range(0, 5).Select(_ => RandomSha256()).ToList();
        await member.SubmitAsync(later.Select(v => Sha256(v).InGroup(group)).ToArray());
        TaxiiResponse manifest = null!;
        await Eventually.UntilAsync(async () =>
        {
            manifest = await taxii.GetOkAsync($"{TaxiiClient.Root}collections/{collection}/manifest/?added_after={cut}");
            return manifest.Objects.Count() == 5;
        }, Wait, "the later signals in the manifest");

        TaxiiValidator.Manifest(manifest.Json);
        Assert.Equal(later.Select(v => IndicatorId(v, group)).Order(), manifest.Objects.Select(o => o.GetProperty("id").GetString()!).Order());
        var dates = manifest.Objects.Select(o => TaxiiValidator.Timestamp(o.GetProperty("date_added"), "date_added")).ToList();
        var cutTime = DateTimeOffset.Parse(cut, System.Globalization.CultureInfo.InvariantCulture);
        Assert.All(dates, d => Assert.True(d > cutTime, $"{d:O} is not after added_after {cut}"));
        Assert.Equal(dates.Order(), dates);
        Assert.Equal(manifest.Objects.First().GetProperty("date_added").GetString(), manifest.DateAddedFirst);
        Assert.Equal(manifest.Objects.Last().GetProperty("date_added").GetString(), manifest.DateAddedLast);
        Assert.Equal(12, firstBatch.Objects.Count()); // 10 indicators, the identity and the extension definition
    }

    [Fact]
    public async Task Match_filters_select_by_type_id_version_and_spec_version()
    {
        var group = NewGroup();
        var (member, taxii) = await MemberAsync(group);
        var collection = StixIds.Collection(group);
        var values = Enumerable.Range(0, 4).Select(_ => RandomSha256()).ToList();
        await member.SubmitAsync(values.Select(v => Sha256(v).InGroup(group)).ToArray());
        var all = await AllObjectsAsync(taxii, group, expectedIndicators: 4);
        var wanted = new[] { IndicatorId(values[0], group), IndicatorId(values[2], group) };
        var modified = all.Single(o => o.GetProperty("id").GetString() == wanted[0]).GetProperty("modified").GetString();

        var identities = await taxii.ObjectsAsync(collection, "?match[type]=identity");
        var indicators = await taxii.ObjectsAsync(collection, "?match[type]=indicator");
        var byId = await taxii.ObjectsAsync(collection, $"?match[id]={string.Join(',', wanted)}");
        var byVersion = await taxii.ObjectsAsync(collection, $"?match[id]={wanted[0]}&match[version]={modified}");
        var otherVersion = await taxii.ObjectsAsync(collection, $"?match[id]={wanted[0]}&match[version]=2021-01-01T00:00:00.000Z");
        var last = await taxii.ObjectsAsync(collection, $"?match[id]={wanted[0]}&match[version]=last");
        var stix20 = await taxii.ObjectsAsync(collection, "?match[spec_version]=2.0");
        var single = (await taxii.GetOkAsync($"{TaxiiClient.Root}collections/{collection}/objects/{wanted[1]}/")).Json;
        var versions = await taxii.GetOkAsync($"{TaxiiClient.Root}collections/{collection}/objects/{wanted[0]}/versions/");
        var unknown = await taxii.GetAsync($"{TaxiiClient.Root}collections/{collection}/objects/indicator--{Guid.NewGuid()}/");
        var badFilter = await taxii.GetAsync($"{TaxiiClient.Root}collections/{collection}/objects/?match[colour]=red");
        var badLimit = await taxii.GetAsync($"{TaxiiClient.Root}collections/{collection}/objects/?limit=zero");
        var badNext = await taxii.GetAsync($"{TaxiiClient.Root}collections/{collection}/objects/?next=nonsense");

        Assert.Equal(["identity"], Objects(identities).Select(Type));
        Assert.Equal(4, Objects(indicators).Count(o => Type(o) == "indicator"));
        Assert.All(Objects(indicators), o => Assert.Equal("indicator", Type(o)));
        Assert.Equal(wanted.Order(), Objects(byId).Select(o => o.GetProperty("id").GetString()!).Order());
        Assert.Equal([wanted[0]], Objects(byVersion).Select(o => o.GetProperty("id").GetString()));
        Assert.Empty(Objects(otherVersion));
        Assert.Single(Objects(last));
        Assert.Empty(Objects(stix20));
        TaxiiValidator.Envelope(single);
        Assert.Equal([wanted[1]], Objects(single).Select(o => o.GetProperty("id").GetString()));
        TaxiiValidator.Versions(versions.Json);
        Assert.Equal([modified], versions.Json.GetProperty("versions").EnumerateArray().Select(v => v.GetString()));
        Assert.Equal(404, unknown.Status);
        TaxiiValidator.Error(unknown.Json, 404);
        Assert.Equal(400, badFilter.Status);
        TaxiiValidator.Error(badFilter.Json, 400);
        Assert.Equal(400, badLimit.Status);
        Assert.Equal(400, badNext.Status);
        Assert.Contains("next", badNext.Json.GetProperty("description").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_sharing_groups_collection_and_records_are_invisible_to_outsiders()
    {
        var group = NewGroup();
        var (insider, insiderTaxii) = await MemberAsync(group);
        var (_, outsider) = await MemberAsync();
        var value = RandomSha256();
        await insider.SubmitAsync(Sha256(value).InGroup(group));
        var id = IndicatorId(value, group);
        await AllObjectsAsync(insiderTaxii, group, expectedIndicators: 1);

        var collection = await outsider.GetAsync($"{TaxiiClient.Root}collections/{StixIds.Collection(group)}/");
        var objects = await outsider.GetAsync($"{TaxiiClient.Root}collections/{StixIds.Collection(group)}/objects/");
        var nonexistent = await outsider.GetAsync($"{TaxiiClient.Root}collections/{Guid.NewGuid()}/");
        var listed = await outsider.GetOkAsync(TaxiiClient.Root + "collections/");
        var inCoalition = await outsider.ObjectsAsync(StixIds.Collection(""), $"?match[id]={id}");
        var byIdInCoalition = await outsider.GetAsync($"{TaxiiClient.Root}collections/{StixIds.Collection("")}/objects/{id}/");

        Assert.Equal(404, collection.Status);
        Assert.Equal(404, objects.Status);
        Assert.Equal(404, nonexistent.Status);
        TaxiiValidator.Error(collection.Json, 404);
        Assert.Equal(nonexistent.Json.GetProperty("title").GetString(), collection.Json.GetProperty("title").GetString());
        Assert.DoesNotContain(listed.Json.GetProperty("collections").EnumerateArray(), c => c.GetProperty("id").GetString() == StixIds.Collection(group));
        Assert.Empty(Objects(inCoalition));
        Assert.Equal(404, byIdInCoalition.Status);
    }

    [Fact]
    public async Task Missing_or_bad_token_is_401_missing_scope_403_and_unacceptable_accept_406()
    {
        var (id, secret) = await fixture.CreateMemberAsync();
        var (submitOnlyId, submitOnlySecret) = await fixture.CreateMemberAsync(scopes: ["signals.submit"]);
        var reader = new TaxiiClient(fixture.Hub.Http, await fixture.Hub.GetTokenAsync(id, secret, "signals.read"));
        var submitter = new TaxiiClient(fixture.Hub.Http, await fixture.Hub.GetTokenAsync(submitOnlyId, submitOnlySecret));

        var none = await new TaxiiClient(fixture.Hub.Http, null).GetAsync("taxii2/");
        var forged = await new TaxiiClient(fixture.Hub.Http, "not-a-token").GetAsync("taxii2/");
        var noScope = await submitter.GetAsync(TaxiiClient.Root + "collections/");
        var json = await reader.GetAsync("taxii2/", accept: "application/json");
        var stix20 = await reader.GetAsync("taxii2/", accept: "application/taxii+json;version=2.0");
        var unversioned = await reader.GetAsync("taxii2/", accept: "application/taxii+json");

        Assert.Equal(401, none.Status);
        TaxiiValidator.Error(none.Json, 401);
        Assert.StartsWith("Bearer", none.WwwAuthenticate, StringComparison.Ordinal);
        Assert.Contains("/connect/token", none.Json.GetProperty("description").GetString(), StringComparison.Ordinal);
        Assert.Equal(401, forged.Status);
        Assert.Equal(403, noScope.Status);
        TaxiiValidator.Error(noScope.Json, 403);
        Assert.Contains("signals.read", noScope.Json.GetProperty("description").GetString(), StringComparison.Ordinal);
        Assert.Equal(406, json.Status);
        TaxiiValidator.Error(json.Json, 406);
        Assert.Equal(406, stix20.Status);
        Assert.Equal(200, unversioned.Status);
    }

    [Fact]
    public async Task Suspended_member_is_refused_with_its_still_valid_token()
    {
        var (id, secret) = await fixture.CreateMemberAsync();
        var taxii = new TaxiiClient(fixture.Hub.Http, await fixture.Hub.GetTokenAsync(id, secret));
        var before = await taxii.GetAsync(TaxiiClient.Root + "collections/");
        var admin = await fixture.Hub.AdminClientAsync();

        await admin.SuspendMemberAsync(new SuspendMemberRequest { MemberId = id, Reason = "investigation" });
        var after = await taxii.GetAsync(TaxiiClient.Root + "collections/");

        Assert.Equal(200, before.Status);
        Assert.Equal(403, after.Status);
        TaxiiValidator.Error(after.Json, 403);
        Assert.Contains("suspended", after.Json.GetProperty("description").GetString(), StringComparison.Ordinal);
    }

    private static string NewGroup() => "tx-" + Guid.NewGuid().ToString("N")[..10];

    private static string RandomHex(int bytes) => Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(bytes));

    private static string Type(JsonElement o) => o.GetProperty("type").GetString()!;

    private static List<JsonElement> Objects(JsonElement envelope) =>
        envelope.TryGetProperty("objects", out var objects) ? [.. objects.EnumerateArray()] : [];

    private static string IndicatorId(string sha256, string group) =>
        "indicator--" + StixIds.Indicator("sha256:" + sha256.ToLowerInvariant() + (group.Length > 0 ? "@" + group : "")).ToString("D");

    private static SignalSubmission Item(SignalType type, string value, Category category = Category.Csam, uint quality = 0)
    {
        var item = new SignalSubmission { Type = type, Value = value, Categories = { category } };
        if (quality > 0)
        {
            item.Quality = quality;
        }

        return item;
    }

    private async Task<(SignalMember Member, TaxiiClient Taxii)> MemberAsync(params string[] groups)
    {
        var (id, secret) = await fixture.CreateMemberAsync(groups: groups);
        var token = await fixture.Hub.GetTokenAsync(id, secret);
        return (new SignalMember(id, new SignalService.SignalServiceClient(fixture.Hub.Invoker(token))), new TaxiiClient(fixture.Hub.Http, token));
    }

    // Every object of the group's collection, paged with next, once the expected number of indicators is there.
    private static async Task<List<JsonElement>> AllObjectsAsync(TaxiiClient taxii, string group, int expectedIndicators)
    {
        var result = new List<JsonElement>();
        await Eventually.UntilAsync(async () =>
        {
            result.Clear();
            string? next = null;
            for (var page = 0; page < 100; page++)
            {
                var envelope = await taxii.ObjectsAsync(StixIds.Collection(group), next is null ? "?limit=3" : $"?limit=3&next={next}");
                result.AddRange(Objects(envelope));
                next = envelope.TryGetProperty("next", out var n) ? n.GetString() : null;
                if (!envelope.GetProperty("more").GetBoolean())
                {
                    break;
                }
            }

            return result.Count(o => Type(o) == "indicator") >= expectedIndicators;
        }, Wait, $"{expectedIndicators} indicators in the collection");
        return result;
    }
}
