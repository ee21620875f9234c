using Federation.Contracts.V1;
using Federation.Hub.Storage;

namespace Federation.Hub.Admin;

/// <summary>Coalition-wide counts for administrators.</summary>
/// <remarks>
/// Signal counts include coalition-wide records only: records limited to a sharing group stay invisible outside it,
/// in statistics as everywhere else.
/// </remarks>
public sealed class HubStatistics(MemberStore members, AuditLog audit, SignalStore signals)
{
    public async Task<GetStatsResponse> GetAsync()
    {
        var response = new GetStatsResponse { AuditEvents = (ulong)await audit.CountAsync().ConfigureAwait(false) };
        var after = "";
        while (true)
        {
            var ids = await members.ListIdsAsync(after, 500).ConfigureAwait(false);
            if (ids.Count == 0)
            {
                break;
            }

            foreach (var id in ids)
            {
                switch ((await members.GetAsync(id).ConfigureAwait(false))?.Status)
                {
                    case MemberStatusCode.Active: response.ActiveMembers++; break;
                    case MemberStatusCode.Suspended: response.SuspendedMembers++; break;
                    case MemberStatusCode.Removed: response.RemovedMembers++; break;
                }
            }

            after = ids[^1];
        }

        var (counters, feedEntries) = await signals.GetCountersAsync().ConfigureAwait(false);
        response.FeedEntries = (ulong)feedEntries;
        foreach (var (name, value) in counters.OrderBy(c => c.Key, StringComparer.Ordinal))
        {
            // Sharing groups' counters are not counted here.
            if (!SignalStatFields.TryParseCoalitionWide(name, out var prefix, out var kind))
            {
                continue;
            }

            if (prefix == SignalStatFields.Created)
            {
                response.SignalsTotal += (ulong)value;
            }
            else if (prefix == SignalStatFields.Active && value > 0)
            {
                response.ActiveSignals.Add(new SignalTypeCount { Type = (SignalType)kind, Count = (ulong)value });
            }
        }

        return response;
    }
}
