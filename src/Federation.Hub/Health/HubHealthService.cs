using Federation.Contracts.V1;
using Grpc.Core;
using Grpc.Health.V1;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Federation.Hub.Health;

/// <summary>
/// <c>grpc.health.v1.Health</c> from the same readiness checks as <c>/health/ready</c> (tagged
/// <see cref="HealthTags.Ready"/>), for the server (<c>""</c>) and each federation service. Check evaluates them on
/// each call; Watch sends the status at once and then every change, comparing each report of the publisher
/// (<see cref="ReadinessPublisher"/>, every second) with what this stream last sent.
/// </summary>
/// <remarks>
/// Why not Grpc.AspNetCore.HealthChecks: without its cache, Watch's first answer is evaluated fresh but later
/// answers are sent only when the cached status changes, so a stream that was told SERVING before the cache had
/// seen it was never told NOT_SERVING when the store went away (one run in ten of GrpcHealthTests). With the
/// cache, Check answers what was true up to a second ago. Comparing per stream has neither problem.
/// </remarks>
public sealed class HubHealthService(HealthCheckService checks, ReadinessPublisher publisher, IHostApplicationLifetime lifetime) : global::Grpc.Health.V1.Health.HealthBase
{
    private static readonly HashSet<string> Services = new(StringComparer.Ordinal)
    {
        "",
        SignalService.Descriptor.FullName,
        MembershipService.Descriptor.FullName,
        GovernanceService.Descriptor.FullName,
    };

    public override async Task<HealthCheckResponse> Check(HealthCheckRequest request, ServerCallContext context)
    {
        if (!Services.Contains(request.Service))
        {
            throw new RpcException(new Status(StatusCode.NotFound, $"No health status for service '{request.Service}'; ask for \"\" (the whole server) or a federation.v1 service."));
        }

        return new HealthCheckResponse { Status = await EvaluateAsync(context.CancellationToken) };
    }

    public override async Task Watch(HealthCheckRequest request, IServerStreamWriter<HealthCheckResponse> responseStream, ServerCallContext context)
    {
        // A watcher of a service this server does not know is told so and kept waiting (the protocol's rule: the
        // service may be registered later); here it never will be, so that is all it hears.
        if (!Services.Contains(request.Service))
        {
            await responseStream.WriteAsync(new HealthCheckResponse { Status = HealthCheckResponse.Types.ServingStatus.ServiceUnknown }).ConfigureAwait(false);
            await Task.Delay(Timeout.Infinite, context.CancellationToken).ContinueWith(static _ => { }, TaskScheduler.Default).ConfigureAwait(false);
            return;
        }

        // Shutting down ends the stream (after NOT_SERVING), or the server would wait for it.
        using var ended = CancellationTokenSource.CreateLinkedTokenSource(context.CancellationToken, lifetime.ApplicationStopping);
        try
        {
            var sent = await EvaluateAsync(ended.Token).ConfigureAwait(false);
            await responseStream.WriteAsync(new HealthCheckResponse { Status = sent }).ConfigureAwait(false);
            while (true)
            {
                var status = await publisher.NextAsync(ended.Token).ConfigureAwait(false);
                if (status != sent)
                {
                    sent = status;
                    await responseStream.WriteAsync(new HealthCheckResponse { Status = sent }).ConfigureAwait(false);
                }
            }
        }
        catch (OperationCanceledException) when (!context.CancellationToken.IsCancellationRequested)
        {
            await responseStream.WriteAsync(new HealthCheckResponse { Status = HealthCheckResponse.Types.ServingStatus.NotServing }).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            // The client ended the stream.
        }
    }

    private async Task<HealthCheckResponse.Types.ServingStatus> EvaluateAsync(CancellationToken cancellationToken) =>
        ReadinessPublisher.StatusOf(await checks.CheckHealthAsync(r => r.Tags.Contains(HealthTags.Ready), cancellationToken).ConfigureAwait(false));
}
