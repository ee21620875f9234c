using Federation.Contracts.V1;
using Federation.Hub.Auth;
using Federation.Hub.Contract;
using Federation.Hub.Governance;
using Google.Protobuf.WellKnownTypes;
using Grpc.Core;
using Microsoft.AspNetCore.Authorization;

namespace Federation.Hub.Services;

/// <summary>gRPC adapter for the governance controls administrators use (scope <c>federation.admin</c>).</summary>
[Authorize(Policy = FederationScopes.Admin)]
public sealed class GovernanceGrpcService(KnownBenignList benign, SignalGovernance governance, TransparencyReports reports) : GovernanceService.GovernanceServiceBase
{
    public override async Task<GetTransparencyReportResponse> GetTransparencyReport(GetTransparencyReportRequest request, ServerCallContext context) =>
        new() { Report = await reports.GetAsync(request).ConfigureAwait(false) };

    public override async Task<ListDisputedResponse> ListDisputed(ListDisputedRequest request, ServerCallContext context)
    {
        var response = new ListDisputedResponse();
        response.Signals.AddRange((await governance.ListDisputedAsync((int)Math.Min(request.MinDisputes, int.MaxValue)).ConfigureAwait(false)).Select(r => r.ToContract()));
        return response;
    }

    public override async Task<ListQuarantinedResponse> ListQuarantined(ListQuarantinedRequest request, ServerCallContext context)
    {
        var response = new ListQuarantinedResponse();
        foreach (var (record, quarantine) in await governance.ListQuarantinedAsync().ConfigureAwait(false))
        {
            response.Signals.Add(new QuarantinedSignal
            {
                Signal = record.ToContract(),
                Trigger = (QuarantineTrigger)quarantine.Trigger,
                Since = Timestamp.FromDateTimeOffset(quarantine.Since),
                Reason = quarantine.Reason,
            });
        }

        return response;
    }

    public override async Task<QuarantineSignalResponse> QuarantineSignal(QuarantineSignalRequest request, ServerCallContext context) =>
        new() { Signal = (await governance.QuarantineAsync(context.GetCaller().MemberId, request.Signal.ToDomain(), request.SharingGroup, request.Reason).ConfigureAwait(false)).ToContract() };

    public override async Task<ReleaseSignalResponse> ReleaseSignal(ReleaseSignalRequest request, ServerCallContext context) =>
        new() { Signal = (await governance.ReleaseAsync(context.GetCaller().MemberId, request.Signal.ToDomain(), request.SharingGroup, request.Reason).ConfigureAwait(false)).ToContract() };

    public override async Task<OverturnSignalResponse> OverturnSignal(OverturnSignalRequest request, ServerCallContext context)
    {
        var (record, acting) = await governance.OverturnAsync(context.GetCaller().MemberId, request.Signal.ToDomain(), request.SharingGroup, request.Reason, request.AddToBenign).ConfigureAwait(false);
        return new OverturnSignalResponse { Signal = record.ToContract(), ActingMembers = (uint)acting };
    }

    public override async Task<AddBenignResponse> AddBenign(AddBenignRequest request, ServerCallContext context)
    {
        var (entry, created) = await benign.AddAsync(
            context.GetCaller().MemberId, request.Signal.ToDomain(), request.Reason, request.HasMaxDistance ? request.MaxDistance : null).ConfigureAwait(false);
        return new AddBenignResponse { Entry = entry.ToContract(), Created = created };
    }

    public override async Task<RemoveBenignResponse> RemoveBenign(RemoveBenignRequest request, ServerCallContext context) =>
        new() { Entry = (await benign.RemoveAsync(context.GetCaller().MemberId, request.Signal.ToDomain(), request.Reason).ConfigureAwait(false)).ToContract() };

    public override async Task<ListBenignResponse> ListBenign(ListBenignRequest request, ServerCallContext context)
    {
        var snapshot = await benign.CurrentAsync().ConfigureAwait(false);
        var response = new ListBenignResponse();
        response.Entries.AddRange(snapshot.Entries.Select(e => e.ToContract()));
        return response;
    }
}
