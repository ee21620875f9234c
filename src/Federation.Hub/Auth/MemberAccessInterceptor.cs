using Federation.Hub.Grpc;
using Grpc.Core;

namespace Federation.Hub.Auth;

/// <summary>
/// Applies <see cref="MemberAccess"/> (the member's <em>current</em> status and credential stamp) to every gRPC call,
/// after ASP.NET Core authorization (token and scope), and attaches the member as the <see cref="Caller"/>.
/// </summary>
public sealed class MemberAccessInterceptor(MemberAccess access) : AroundCallInterceptor
{
    protected override async Task<T> AroundAsync<T>(ServerCallContext context, Func<Task<T>> call)
    {
        await AttachCallerAsync(context).ConfigureAwait(false);
        return await call().ConfigureAwait(false);
    }

    private async Task AttachCallerAsync(ServerCallContext context)
    {
        var http = context.GetHttpContext();
        // Endpoints without [Authorize] (health) have no member: null.
        var result = await access.CheckAsync(http.User, context.Method).ConfigureAwait(false);
        switch (result?.Refusal)
        {
            case null:
                return;
            case MemberAccessRefusal.NotActive:
                throw new RpcException(new Status(StatusCode.PermissionDenied, result.Message));
            case MemberAccessRefusal.CredentialsRotated:
                throw new RpcException(new Status(StatusCode.Unauthenticated, result.Message));
            default:
                http.Features.Set(result.Caller!);
                return;
        }
    }
}
