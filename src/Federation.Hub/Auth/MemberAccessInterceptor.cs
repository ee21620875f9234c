using Federation.Hub.Storage;
using Grpc.Core;
using Grpc.Core.Interceptors;
using OpenIddict.Abstractions;

namespace Federation.Hub.Auth;

/// <summary>
/// Checks the member's <em>current</em> status on every gRPC call: a token stays valid until it
/// expires, but a suspended or removed member must be refused at once. Runs after ASP.NET Core
/// authorization (token and scope), reads the member from Redis and attaches it as the
/// <see cref="Caller"/>.
/// </summary>
public sealed class MemberAccessInterceptor(MemberStore members, AuditLog audit) : Interceptor
{
    public override async Task<TResponse> UnaryServerHandler<TRequest, TResponse>(
        TRequest request, ServerCallContext context, UnaryServerMethod<TRequest, TResponse> continuation)
    {
        await AttachCallerAsync(context).ConfigureAwait(false);
        return await continuation(request, context).ConfigureAwait(false);
    }

    public override async Task<TResponse> ClientStreamingServerHandler<TRequest, TResponse>(
        IAsyncStreamReader<TRequest> requestStream, ServerCallContext context, ClientStreamingServerMethod<TRequest, TResponse> continuation)
    {
        await AttachCallerAsync(context).ConfigureAwait(false);
        return await continuation(requestStream, context).ConfigureAwait(false);
    }

    public override async Task ServerStreamingServerHandler<TRequest, TResponse>(
        TRequest request, IServerStreamWriter<TResponse> responseStream, ServerCallContext context, ServerStreamingServerMethod<TRequest, TResponse> continuation)
    {
        await AttachCallerAsync(context).ConfigureAwait(false);
        await continuation(request, responseStream, context).ConfigureAwait(false);
    }

    public override async Task DuplexStreamingServerHandler<TRequest, TResponse>(
        IAsyncStreamReader<TRequest> requestStream, IServerStreamWriter<TResponse> responseStream, ServerCallContext context, DuplexStreamingServerMethod<TRequest, TResponse> continuation)
    {
        await AttachCallerAsync(context).ConfigureAwait(false);
        await continuation(requestStream, responseStream, context).ConfigureAwait(false);
    }

    private async Task AttachCallerAsync(ServerCallContext context)
    {
        var http = context.GetHttpContext();
        var memberId = http.User.GetClaim(OpenIddictConstants.Claims.Subject);
        if (memberId is null)
        {
            // Endpoints without [Authorize] (health) have no member.
            return;
        }

        var member = await members.GetAsync(memberId).ConfigureAwait(false);
        if (member is null || !member.IsActive)
        {
            var state = member?.Status.ToString().ToLowerInvariant() ?? "unknown";
            await audit.AppendAsync(memberId, "auth.refused", memberId, $"reason=member-{state} method={context.Method}").ConfigureAwait(false);
            throw new RpcException(new Status(StatusCode.PermissionDenied,
                $"Member '{memberId}' is {state}; its calls are refused. Contact the coalition administrator."));
        }

        http.Features.Set(new Caller(member));
    }
}
