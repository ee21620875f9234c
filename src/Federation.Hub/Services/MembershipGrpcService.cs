using System.Globalization;
using Federation.Contracts.V1;
using Federation.Hub.Admin;
using Federation.Hub.Auth;
using Federation.Hub.Grpc;
using Federation.Hub.Storage;
using Grpc.Core;
using Microsoft.AspNetCore.Authorization;

namespace Federation.Hub.Services;

/// <summary>gRPC adapter for coalition administrators (scope <c>federation.admin</c>).</summary>
[Authorize(Policy = FederationScopes.Admin)]
public sealed class MembershipGrpcService(MembershipAdministration administration, AuditLog audit, HubStatistics statistics)
    : MembershipService.MembershipServiceBase
{
    public override async Task<CreateMemberResponse> CreateMember(CreateMemberRequest request, ServerCallContext context)
    {
        var (member, secret) = await administration.CreateAsync(
            context.GetCaller().MemberId, request.MemberId, request.DisplayName, request.Scopes, request.SharingGroups).ConfigureAwait(false);
        return new CreateMemberResponse { Member = member.ToContract(), ClientSecret = secret };
    }

    public override async Task<GetMemberResponse> GetMember(GetMemberRequest request, ServerCallContext context) =>
        new() { Member = (await administration.GetAsync(request.MemberId).ConfigureAwait(false)).ToContract() };

    public override async Task<ListMembersResponse> ListMembers(ListMembersRequest request, ServerCallContext context)
    {
        var pageSize = PageSize(request.PageSize, 100, 500);
        MemberStatusCode? status = request.Status == MemberStatus.Unspecified ? null : (MemberStatusCode)(int)request.Status;
        var (page, next) = await administration.ListAsync(request.PageToken, pageSize, status).ConfigureAwait(false);
        var response = new ListMembersResponse { NextPageToken = next };
        response.Members.AddRange(page.Select(m => m.ToContract()));
        return response;
    }

    public override async Task<SuspendMemberResponse> SuspendMember(SuspendMemberRequest request, ServerCallContext context) =>
        new() { Member = (await administration.SuspendAsync(context.GetCaller().MemberId, request.MemberId, request.Reason).ConfigureAwait(false)).ToContract() };

    public override async Task<ReinstateMemberResponse> ReinstateMember(ReinstateMemberRequest request, ServerCallContext context) =>
        new() { Member = (await administration.ReinstateAsync(context.GetCaller().MemberId, request.MemberId, request.Reason).ConfigureAwait(false)).ToContract() };

    public override async Task<RotateCredentialsResponse> RotateCredentials(RotateCredentialsRequest request, ServerCallContext context)
    {
        var (member, secret) = await administration.RotateAsync(context.GetCaller().MemberId, request.MemberId).ConfigureAwait(false);
        return new RotateCredentialsResponse { Member = member.ToContract(), ClientSecret = secret };
    }

    public override async Task<RemoveMemberResponse> RemoveMember(RemoveMemberRequest request, ServerCallContext context) =>
        new() { Member = (await administration.RemoveAsync(context.GetCaller().MemberId, request.MemberId, request.Reason).ConfigureAwait(false)).ToContract() };

    public override async Task<SetMemberGroupsResponse> SetMemberGroups(SetMemberGroupsRequest request, ServerCallContext context) =>
        new() { Member = (await administration.SetGroupsAsync(context.GetCaller().MemberId, request.MemberId, request.SharingGroups).ConfigureAwait(false)).ToContract() };

    public override async Task<ListAuditEventsResponse> ListAuditEvents(ListAuditEventsRequest request, ServerCallContext context)
    {
        var pageSize = PageSize(request.PageSize, 100, 1000);
        long after = 0;
        if (request.PageToken.Length > 0 && !long.TryParse(request.PageToken, NumberStyles.None, CultureInfo.InvariantCulture, out after))
        {
            throw RpcErrors.InvalidArgument("page_token", "is not a token returned by ListAuditEvents; pass it back unchanged.");
        }

        var entries = await audit.ReadAsync(after, pageSize).ConfigureAwait(false);
        var response = new ListAuditEventsResponse
        {
            NextPageToken = entries.Count == pageSize ? entries[^1].Sequence.ToString(CultureInfo.InvariantCulture) : "",
            ChainVerified = VerifyChain(entries),
        };
        response.Events.AddRange(entries.Select(e => e.ToContract()));
        return response;
    }

    public override Task<GetStatsResponse> GetStats(GetStatsRequest request, ServerCallContext context) => statistics.GetAsync();

    private static bool VerifyChain(IReadOnlyList<AuditEntry> entries)
    {
        for (var i = 0; i < entries.Count; i++)
        {
            if (!AuditLog.Verify(entries[i]) || (i > 0 && entries[i].PreviousHash != entries[i - 1].Hash))
            {
                return false;
            }
        }

        return true;
    }

    private static int PageSize(uint requested, int fallback, int max) =>
        requested == 0 ? fallback : (int)Math.Min(requested, (uint)max);
}
