using System.Runtime.CompilerServices;
using Federation.Client.Internal;
using Federation.Contracts.V1;

namespace Federation.Client.Membership;

/// <summary>
/// Coalition administration (scope <c>federation.admin</c>): admit, suspend, reinstate, rotate and
/// remove members, read the audit log and statistics. Obtain it from <see cref="FederationClient.Membership"/>.
/// Calls are retried on transient failures like every other SDK call. Its operations are virtual and a protected
/// constructor exists, so code that uses it can be tested with a substitute.
/// </summary>
public class FederationMembership
{
    private readonly MembershipService.MembershipServiceClient client;
    private readonly AuthorizedCalls calls;

    /// <summary>For test doubles only: an instance without a connection, every operation of which a subclass overrides.</summary>
    protected FederationMembership()
    {
        client = null!;
        calls = null!;
    }

    internal FederationMembership(MembershipService.MembershipServiceClient client, AuthorizedCalls calls)
    {
        this.client = client;
        this.calls = calls;
    }

    /// <summary>Admits a member and returns it with its client secret (shown only here).</summary>
    /// <param name="memberId">Client id: 3-64 characters of [a-z0-9-], starting with a letter.</param>
    /// <param name="displayName">Human-readable name, e.g. the company name.</param>
    /// <param name="scopes">Scopes it may request; empty for signals.submit and signals.read.</param>
    /// <param name="sharingGroups">Sharing groups it belongs to.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    public virtual Task<CreateMemberResponse> CreateAsync(
        string memberId, string displayName, IEnumerable<string>? scopes = null, IEnumerable<string>? sharingGroups = null, CancellationToken cancellationToken = default)
    {
        var request = new CreateMemberRequest { MemberId = memberId, DisplayName = displayName };
        request.Scopes.AddRange(scopes ?? []);
        request.SharingGroups.AddRange(sharingGroups ?? []);
        return calls.UnaryAsync(o => client.CreateMemberAsync(request, o), cancellationToken);
    }

    /// <summary>Reads one member.</summary>
    public virtual async Task<Member> GetAsync(string memberId, CancellationToken cancellationToken = default) =>
        (await calls.UnaryAsync(o => client.GetMemberAsync(new GetMemberRequest { MemberId = memberId }, o), cancellationToken).ConfigureAwait(false)).Member;

    /// <summary>Lists members ordered by id, fetching pages as the enumeration proceeds.</summary>
    /// <param name="status">Only members in this status; <see cref="MemberStatus.Unspecified"/> for all.</param>
    /// <param name="pageSize">Members per call, 1-500.</param>
    /// <param name="cancellationToken">Cancels the enumeration.</param>
    public virtual async IAsyncEnumerable<Member> ListAsync(
        MemberStatus status = MemberStatus.Unspecified, uint pageSize = 100, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var token = "";
        do
        {
            var request = new ListMembersRequest { PageSize = pageSize, PageToken = token, Status = status };
            var page = await calls.UnaryAsync(o => client.ListMembersAsync(request, o), cancellationToken).ConfigureAwait(false);
            foreach (var member in page.Members)
            {
                yield return member;
            }

            token = page.NextPageToken;
        }
        while (token.Length > 0);
    }

    /// <summary>Suspends a member: its tokens are refused and its streams end at once.</summary>
    public virtual async Task<Member> SuspendAsync(string memberId, string reason, CancellationToken cancellationToken = default) =>
        (await calls.UnaryAsync(o => client.SuspendMemberAsync(new SuspendMemberRequest { MemberId = memberId, Reason = reason }, o), cancellationToken).ConfigureAwait(false)).Member;

    /// <summary>Lifts a suspension.</summary>
    public virtual async Task<Member> ReinstateAsync(string memberId, string reason, CancellationToken cancellationToken = default) =>
        (await calls.UnaryAsync(o => client.ReinstateMemberAsync(new ReinstateMemberRequest { MemberId = memberId, Reason = reason }, o), cancellationToken).ConfigureAwait(false)).Member;

    /// <summary>Issues a new client secret (returned only here); the old one stops working at once.</summary>
    public virtual Task<RotateCredentialsResponse> RotateCredentialsAsync(string memberId, CancellationToken cancellationToken = default) =>
        calls.UnaryAsync(o => client.RotateCredentialsAsync(new RotateCredentialsRequest { MemberId = memberId }, o), cancellationToken);

    /// <summary>Removes a member for good.</summary>
    public virtual async Task<Member> RemoveAsync(string memberId, string reason, CancellationToken cancellationToken = default) =>
        (await calls.UnaryAsync(o => client.RemoveMemberAsync(new RemoveMemberRequest { MemberId = memberId, Reason = reason }, o), cancellationToken).ConfigureAwait(false)).Member;

    /// <summary>Replaces the sharing groups a member belongs to.</summary>
    public virtual async Task<Member> SetGroupsAsync(string memberId, IEnumerable<string> sharingGroups, CancellationToken cancellationToken = default)
    {
        var request = new SetMemberGroupsRequest { MemberId = memberId };
        request.SharingGroups.AddRange(sharingGroups);
        return (await calls.UnaryAsync(o => client.SetMemberGroupsAsync(request, o), cancellationToken).ConfigureAwait(false)).Member;
    }

    /// <summary>Reads one page of the audit log, oldest first.</summary>
    /// <param name="pageToken">From the previous page's <see cref="ListAuditEventsResponse.NextPageToken"/>; empty for the oldest entries.</param>
    /// <param name="pageSize">Entries per page, 1-1000.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    public virtual Task<ListAuditEventsResponse> ListAuditPageAsync(string pageToken = "", uint pageSize = 100, CancellationToken cancellationToken = default) =>
        calls.UnaryAsync(o => client.ListAuditEventsAsync(new ListAuditEventsRequest { PageToken = pageToken, PageSize = pageSize }, o), cancellationToken);

    /// <summary>Coalition-wide counts.</summary>
    public virtual Task<GetStatsResponse> GetStatsAsync(CancellationToken cancellationToken = default) =>
        calls.UnaryAsync(o => client.GetStatsAsync(new GetStatsRequest(), o), cancellationToken);
}
