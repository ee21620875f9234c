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
            var (batch, last) = await members.ListAsync(after, 500).ConfigureAwait(false);
            if (last.Length == 0)
            {
                break;
            }

            foreach (var member in batch)
            {
                switch (member.Status)
                {
                    case MemberStatusCode.Active: response.ActiveMembers++; break;
                    case MemberStatusCode.Suspended: response.SuspendedMembers++; break;
                    case MemberStatusCode.Removed: response.RemovedMembers++; break;
                }
            }

            after = last;
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
            else if (prefix == SignalStatFields.Quarantined)
            {
                response.QuarantinedSignals += (ulong)Math.Max(0, value);
            }
            else if (prefix == SignalStatFields.Quarantines)
            {
                response.QuarantinesTotal += (ulong)value;
            }
            else if (prefix == SignalStatFields.Overturned)
            {
                response.OverturnedTotal += (ulong)value;
            }
        }

        return response;
    }
}
