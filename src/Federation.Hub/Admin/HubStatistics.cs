using Federation.Contracts.V1;
using Federation.Hub.Storage;

namespace Federation.Hub.Admin;

/// <summary>Coalition-wide counts for administrators.</summary>
public sealed class HubStatistics(MemberStore members, AuditLog audit)
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

        return response;
    }
}
