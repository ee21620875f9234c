using Federation.Contracts.V1;
using Federation.Hub.Auth;
using Federation.Hub.Governance;
using Grpc.Core;
using Microsoft.AspNetCore.Authorization;

namespace Federation.Hub.Services;

/// <summary>gRPC adapter for the governance controls administrators use (scope <c>federation.admin</c>).</summary>
[Authorize(Policy = FederationScopes.Admin)]
public sealed class GovernanceGrpcService(KnownBenignList benign) : GovernanceService.GovernanceServiceBase
{
    public override async Task<AddBenignResponse> AddBenign(AddBenignRequest request, ServerCallContext context)
    {
        var (entry, created) = await benign.AddAsync(
            context.GetCaller().MemberId, request.Signal, request.Reason, request.HasMaxDistance ? request.MaxDistance : null).ConfigureAwait(false);
        return new AddBenignResponse { Entry = entry.ToContract(), Created = created };
    }

    public override async Task<RemoveBenignResponse> RemoveBenign(RemoveBenignRequest request, ServerCallContext context) =>
        new() { Entry = (await benign.RemoveAsync(context.GetCaller().MemberId, request.Signal, request.Reason).ConfigureAwait(false)).ToContract() };

    public override async Task<ListBenignResponse> ListBenign(ListBenignRequest request, ServerCallContext context)
    {
        var snapshot = await benign.CurrentAsync().ConfigureAwait(false);
        var response = new ListBenignResponse();
        response.Entries.AddRange(snapshot.Entries.Select(e => e.ToContract()));
        return response;
    }
}
