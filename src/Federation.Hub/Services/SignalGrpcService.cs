using Federation.Contracts.V1;
using Federation.Hub.Auth;
using Federation.Hub.Feed;
using Grpc.Core;
using Microsoft.AspNetCore.Authorization;

namespace Federation.Hub.Services;

/// <summary>gRPC adapter for member companies: submit, look up, subscribe, opinions, retraction.</summary>
[Authorize]
public sealed class SignalGrpcService : SignalService.SignalServiceBase
{
    [Authorize(Policy = FederationScopes.Submit)]
    public override Task<SubmitResponse> Submit(SubmitRequest request, ServerCallContext context) =>
        throw new RpcException(new Status(StatusCode.Unimplemented, "Submit is not implemented yet."));

    [Authorize(Policy = FederationScopes.Read)]
    public override Task<LookupResponse> Lookup(LookupRequest request, ServerCallContext context) =>
        throw new RpcException(new Status(StatusCode.Unimplemented, "Lookup is not implemented yet."));

    [Authorize(Policy = FederationScopes.Read)]
    public override Task Subscribe(SubscribeRequest request, IServerStreamWriter<SubscribeResponse> responseStream, ServerCallContext context) =>
        context.GetHttpContext().RequestServices.GetRequiredService<FeedSubscriptions>().SubscribeAsync(request, responseStream, context);
}
