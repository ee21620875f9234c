using Federation.Contracts.V1;
using Federation.Core.Governance;
using Federation.Core.Signals;
using Federation.Hub.Admission;
using Federation.Hub.Auth;
using Federation.Hub.Governance;
using Federation.Hub.Options;
using Federation.Hub.Storage;
using Grpc.Core;
using Microsoft.Extensions.Options;

namespace Federation.Hub.Signals;

/// <summary>
/// Batch look-up: every query becomes candidate storage keys (the hash itself, or the PDQ matcher's candidates,
/// each in coalition-wide form plus one per sharing group of the caller), read with one script call per partition,
/// all partitions pipelined. Only ACTIVE records are returned, with the caller's own part filled in.
/// </summary>
public sealed class SignalLookupService(
    SignalStore store, MemberStore members, IPdqMatcher pdq, FairAdmissionGate gate, KnownBenignList benign, IOptions<FederationOptions> options)
{
    private const int DefaultMaxMatches = 10;
    private const int MaxMatches = 100;
    private readonly SignalOptions signals = options.Value.Signals;

    /// <summary>
    /// Answers a batch that passed <see cref="SubmitRequestRules.TryValidateLookup"/> once the fair admission gate gives
    /// the member a slot (or <paramref name="ct"/> ends the call while it waits).
    /// </summary>
    public Task<LookupResponse> LookupAsync(Caller caller, IReadOnlyList<LookupQuery> queries, CancellationToken ct) =>
        LookupAsync(caller, queries, minConfidence: 0, TlpLevel.Unspecified, ct);

    /// <summary>
    /// As <see cref="LookupAsync(Caller, IReadOnlyList{LookupQuery}, CancellationToken)"/>, returning only matches that pass
    /// the label bounds (checked by the caller with <see cref="ContributionLabels.ValidateBounds"/>).
    /// </summary>
    public async Task<LookupResponse> LookupAsync(Caller caller, IReadOnlyList<LookupQuery> queries, int minConfidence, TlpLevel maxShareLevel, CancellationToken ct)
    {
        using var slot = await gate.EnterAsync(caller.MemberId, queries.Count, ct).ConfigureAwait(false);
        var results = new LookupResult[queries.Count];
        var byPartition = new List<(int Query, int Distance, byte[] Key)>?[store.PartitionCount];
        var maxMatches = new int[queries.Count];
        var benignList = await benign.CurrentAsync().ConfigureAwait(false);
        for (var i = 0; i < queries.Count; i++)
        {
            var query = queries[i];
            results[i] = new LookupResult { Index = (uint)i };
            if (query.MaxMatches > MaxMatches)
            {
                results[i].Error = new ItemError
                {
                    Code = (int)StatusCode.InvalidArgument,
                    Field = $"queries[{i}].max_matches",
                    Description = $"lookup.max_matches: a query returns at most {MaxMatches} matches; got {query.MaxMatches}. Ask for {MaxMatches} or fewer (0 means the default, {DefaultMaxMatches})",
                };
                continue;
            }

            // Quality is a property of a submission, not of a query: accept any.
            if (!SignalNormalizer.TryNormalize((SignalKind)query.Type, query.Value, SignalNormalizer.MaxPdqQuality, 0, out var signal, out var error))
            {
                results[i].Error = new ItemError { Code = (int)StatusCode.InvalidArgument, Field = $"queries[{i}].{error.Field}", Description = $"{error.Rule}: {error.Message}" };
                continue;
            }

            if (benignList.Match(signal) is { } hit)
            {
                results[i].Benign = hit.ToContract();
            }

            IReadOnlyList<PdqCandidate> candidates;
            if (signal.Kind == SignalKind.Pdq)
            {
                maxMatches[i] = query.MaxMatches == 0 ? DefaultMaxMatches : (int)Math.Min(query.MaxMatches, MaxMatches);
                var distance = query.HasMaxDistance ? (int)Math.Min(query.MaxDistance, (uint)signals.MaxPdqDistance) : signals.DefaultPdqDistance;
                candidates = pdq.FindCandidates(signal, distance, maxMatches[i], caller.Member.Groups);
            }
            else
            {
                maxMatches[i] = int.MaxValue;
                candidates = [new PdqCandidate(signal, 0)];
            }

            foreach (var candidate in candidates)
            {
                var list = byPartition[candidate.Signal.Partition(store.PartitionCount)] ??= [];
                list.Add((i, candidate.Distance, SignalStorageKey.Create(candidate.Signal, "")));
                foreach (var group in caller.Member.Groups)
                {
                    list.Add((i, candidate.Distance, SignalStorageKey.Create(candidate.Signal, group)));
                }
            }
        }

        var number = caller.Member.Number > 0 ? caller.Member.Number : await members.EnsureNumberAsync(caller.MemberId).ConfigureAwait(false);
        var reads = new List<(List<(int Query, int Distance, byte[] Key)> Items, Task<SignalRead?[]> Records)>();
        for (var p = 0; p < byPartition.Length; p++)
        {
            if (byPartition[p] is { } items)
            {
                reads.Add((items, store.ReadAsync(p, items.ConvertAll(x => x.Key), number)));
            }
        }

        foreach (var (items, pending) in reads)
        {
            var records = await pending.ConfigureAwait(false);
            for (var j = 0; j < items.Count; j++)
            {
                if (records[j] is { Record.State: SignalState.Active } read && read.Record.IsVisibleTo(caller.Member.Groups)
                    && ContributionLabels.Passes(read.Record.Confidence, read.Record.ShareLevel, minConfidence, maxShareLevel))
                {
                    var contract = read.Record.ToContract();
                    contract.ContributedByCaller = read.ContributedByCaller;
                    contract.CallerOpinion = (Opinion)read.CallerOpinion;
                    results[items[j].Query].Matches.Add(new LookupMatch { Signal = contract, Distance = (uint)items[j].Distance });
                }
            }
        }

        for (var i = 0; i < results.Length; i++)
        {
            if (results[i].Matches.Count > 1)
            {
                var ordered = results[i].Matches.OrderBy(m => m.Distance).Take(maxMatches[i]).ToArray();
                results[i].Matches.Clear();
                results[i].Matches.Add(ordered);
            }
        }

        return new LookupResponse { Results = { results } };
    }
}
