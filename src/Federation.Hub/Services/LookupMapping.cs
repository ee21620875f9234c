using Federation.Contracts.V1;
using Federation.Core.Signals;
using Federation.Hub.Contract;
using Federation.Hub.Governance;
using Federation.Hub.Grpc;
using Federation.Hub.Signals;
using Google.Protobuf.Collections;

namespace Federation.Hub.Services;

/// <summary>The one translation between the contract's look-up messages and the domain's, both ways.</summary>
public static class LookupMapping
{
    /// <summary>The batch's queries as the domain takes them.</summary>
    public static LookupItem[] ToDomain(RepeatedField<LookupQuery> queries)
    {
        var domain = new LookupItem[queries.Count];
        for (var i = 0; i < domain.Length; i++)
        {
            var query = queries[i];
            domain[i] = new LookupItem(
                (SignalKind)query.Type,
                query.Value,
                query.KeyId,
                query.HasMaxDistance ? query.MaxDistance : null,
                query.MaxMatches,
                query.CrossMedia,
                query.Vpdq is { } video ? SubmissionMapping.Frames(video) : null,
                query.VpdqOptions is { } options
                    ? new VideoMatchThresholds(
                        options.HasMaxFrameDistance ? options.MaxFrameDistance : null,
                        options.HasMinFrameQuality ? options.MinFrameQuality : null,
                        options.HasMinQueryMatchPercent ? options.MinQueryMatchPercent : null,
                        options.HasMinTargetMatchPercent ? options.MinTargetMatchPercent : null)
                    : null);
        }

        return domain;
    }

    /// <summary>The contract's answer: one result per query, matches in the domain's order.</summary>
    public static LookupResponse ToContract(IReadOnlyList<LookupItemResult> results)
    {
        var response = new LookupResponse();
        foreach (var result in results)
        {
            var contract = new LookupResult { Index = (uint)result.Index };
            if (result.Refusal is { } refusal)
            {
                contract.Error = new ItemError { Code = (int)RpcErrors.CodeOf(refusal.Kind), Field = refusal.Field, Description = refusal.Description };
            }

            if (result.Benign is { } benign)
            {
                contract.Benign = benign.ToContract();
            }

            foreach (var hit in result.Matches)
            {
                contract.Matches.Add(ToContract(hit));
            }

            response.Results.Add(contract);
        }

        return response;
    }

    private static LookupMatch ToContract(in LookupHit hit)
    {
        var signal = hit.Record.ToContract();
        signal.ContributedByCaller = hit.ContributedByCaller;
        signal.CallerOpinion = (Opinion)hit.CallerOpinion;
        var match = new LookupMatch { Signal = signal, Distance = (uint)hit.Distance, ItemCorroborationCount = (uint)hit.ItemCorroboration };
        match.LinkedSignalIds.AddRange(hit.LinkedSignalIds);
        if (hit.Video is { } shares)
        {
            match.Vpdq = new VpdqMatchShares { QueryMatchPercent = shares.QueryPercent, TargetMatchPercent = shares.TargetPercent };
        }

        if (hit.FrameTimestampMs is { } timestamp)
        {
            match.FrameTimestampMs = timestamp;
        }

        return match;
    }
}
