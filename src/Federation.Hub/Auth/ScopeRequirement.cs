using Microsoft.AspNetCore.Authorization;
using OpenIddict.Abstractions;

namespace Federation.Hub.Auth;

/// <summary>
/// The caller's token must grant <see cref="Scope"/>. A requirement of its own (rather than an assertion) so that a
/// refusal can name the missing scope (<see cref="GrpcAuthorizationResultHandler"/>).
/// </summary>
public sealed class ScopeRequirement(string scope) : AuthorizationHandler<ScopeRequirement>, IAuthorizationRequirement
{
    /// <summary>The scope the token must grant.</summary>
    public string Scope { get; } = scope;

    protected override Task HandleRequirementAsync(AuthorizationHandlerContext context, ScopeRequirement requirement)
    {
        if (context.User.HasScope(requirement.Scope))
        {
            context.Succeed(requirement);
        }

        return Task.CompletedTask;
    }
}
