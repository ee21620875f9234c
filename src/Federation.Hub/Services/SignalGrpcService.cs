using System.Runtime.ExceptionServices;
using System.Threading.Channels;
using Federation.Contracts.V1;
using Federation.Core.Governance;
using Federation.Hub.Auth;
using Federation.Hub.Contract;
using Federation.Hub.Feed;
using Federation.Hub.Governance;
using Federation.Hub.Grpc;
using Federation.Hub.Options;
using Federation.Hub.Signals;
using Grpc.Core;
using Microsoft.AspNetCore.Authorization;
using Microsoft.Extensions.Options;

namespace Federation.Hub.Services;

/// <summary>gRPC adapter for member companies: submit, look up, subscribe, opinions, retraction.</summary>
[Authorize]
public sealed class SignalGrpcService(
    SignalSubmitter submitter,
    SignalLookupService lookup,
    SignalContributions contributions,
    FeedSubscriptions feeds,
    MemberNotices notices,
    IOptions<FederationOptions> options) : SignalService.SignalServiceBase
{
    private readonly SignalOptions signals = options.Value.Signals;

    [Authorize(Policy = FederationScopes.Submit)]
    public override async Task<SubmitResponse> Submit(SubmitRequest request, ServerCallContext context)
    {
        ValidateBatch(request.RequestId, request.Items.Count);
        try
        {
            var result = await submitter.SubmitAsync(context.GetCaller(), request.RequestId, SubmissionMapping.ToDomain(request.Items), context.CancellationToken).ConfigureAwait(false);
            return SubmissionMapping.ToContract(result);
        }
        catch (SubmitRateLimitedException e)
        {
            var milliseconds = (long)Math.Ceiling(e.RetryAfter.TotalMilliseconds);
            throw new RpcException(
                new Status(StatusCode.ResourceExhausted,
                    $"Submit rate limit of {signals.RateLimitPerSecond:N0} items per second reached; retry this batch after {milliseconds} ms (trailer retry-after-ms)."),
                GrpcResponses.RetryAfter(e.RetryAfter));
        }
    }

    /// <summary>
    /// Bulk load: each batch is acknowledged in order; up to <see cref="SignalOptions.SubmitStreamConcurrency"/> batches
    /// are processed at once, and reading pauses while that many wait (flow control). Over the rate limit the stream
    /// waits instead of failing. A malformed batch ends the stream with INVALID_ARGUMENT after the earlier acks.
    /// </summary>
    [Authorize(Policy = FederationScopes.Submit)]
    public override async Task SubmitStream(IAsyncStreamReader<SubmitStreamRequest> requestStream, IServerStreamWriter<SubmitStreamResponse> responseStream, ServerCallContext context)
    {
        var caller = context.GetCaller();
        using var cancel = CancellationTokenSource.CreateLinkedTokenSource(context.CancellationToken);
        var inFlight = Channel.CreateBounded<Task<SubmitStreamResponse>>(
            new BoundedChannelOptions(signals.SubmitStreamConcurrency) { SingleReader = true, SingleWriter = true });
        var acknowledgements = AcknowledgeAsync(inFlight.Reader, responseStream, cancel);

        ExceptionDispatchInfo? failure = null;
        try
        {
            await foreach (var request in requestStream.ReadAllAsync(cancel.Token).ConfigureAwait(false))
            {
                ValidateBatch(request.RequestId, request.Items.Count);
                await inFlight.Writer.WriteAsync(SubmitOneAsync(caller, request, cancel.Token), cancel.Token).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (cancel.IsCancellationRequested)
        {
            // The client went away or acknowledging failed; the acknowledgement task holds the reason.
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            failure = ExceptionDispatchInfo.Capture(e);
        }

        inFlight.Writer.TryComplete();
        await acknowledgements.ConfigureAwait(false);
        failure?.Throw();
    }

    [Authorize(Policy = FederationScopes.Read)]
    public override async Task<LookupResponse> Lookup(LookupRequest request, ServerCallContext context)
    {
        LookupRequestRules.Validate(request.Queries.Count, request.ConsistencyTokens.Count, request.MinConfidence, (int)request.MaxShareLevel, signals.MaxBatchSize);
        var results = await lookup.LookupAsync(
            context.GetCaller(), LookupMapping.ToDomain(request.Queries), request.ConsistencyTokens, (int)request.MinConfidence, (TlpLevel)request.MaxShareLevel, context.CancellationToken)
            .ConfigureAwait(false);
        return LookupMapping.ToContract(results);
    }

    [Authorize(Policy = FederationScopes.Read)]
    public override Task Subscribe(SubscribeRequest request, IServerStreamWriter<SubscribeResponse> responseStream, ServerCallContext context) =>
        feeds.SubscribeAsync(request, responseStream, context);

    [Authorize(Policy = FederationScopes.Submit)]
    public override async Task<SetOpinionResponse> SetOpinion(SetOpinionRequest request, ServerCallContext context)
    {
        var change = await contributions.SetOpinionAsync(context.GetCaller(), request.Signal.ToDomain(), (SignalOpinion)request.Opinion, request.SharingGroup).ConfigureAwait(false);
        var signal = change.Record.ToContract();
        signal.ContributedByCaller = change.ContributedByCaller;
        signal.CallerOpinion = (Opinion)change.CallerOpinion;
        return new SetOpinionResponse { Signal = signal, Changed = change.Changed };
    }

    [Authorize(Policy = FederationScopes.Submit)]
    public override async Task<RetractResponse> Retract(RetractRequest request, ServerCallContext context) =>
        new() { Signal = (await contributions.RetractAsync(context.GetCaller(), request.Signal.ToDomain(), request.SharingGroup).ConfigureAwait(false)).ToContract() };

    [Authorize(Policy = FederationScopes.Read)]
    public override async Task<RecordActionResponse> RecordAction(RecordActionRequest request, ServerCallContext context)
    {
        var (created, actions) = await contributions.RecordActionAsync(
            context.GetCaller(), request.Signal.ToDomain(), request.SharingGroup, (SignalActionKind)request.Kind, request.Reference).ConfigureAwait(false);
        var response = new RecordActionResponse { Created = created };
        response.Actions.AddRange(actions.Select(a => a.ToContract()));
        return response;
    }

    [Authorize(Policy = FederationScopes.Read)]
    public override Task WatchNotices(WatchNoticesRequest request, IServerStreamWriter<WatchNoticesResponse> responseStream, ServerCallContext context) =>
        notices.WatchAsync(request, responseStream, context);

    private void ValidateBatch(string requestId, int itemCount)
    {
        if (!SubmitRequestRules.TryValidate(requestId, itemCount, signals.MaxBatchSize, out var error))
        {
            throw RpcErrors.InvalidArgument(error.Value.Field, error.Value.Description);
        }
    }

    private async Task<SubmitStreamResponse> SubmitOneAsync(Caller caller, SubmitStreamRequest request, CancellationToken ct)
    {
        var result = await submitter.SubmitWhenAdmittedAsync(caller, request.RequestId, SubmissionMapping.ToDomain(request.Items), ct).ConfigureAwait(false);
        return SubmissionMapping.ToStreamContract(request.RequestId, result);
    }

    private static async Task AcknowledgeAsync(
        ChannelReader<Task<SubmitStreamResponse>> inFlight, IServerStreamWriter<SubmitStreamResponse> responseStream, CancellationTokenSource cancel)
    {
        try
        {
            await foreach (var pending in inFlight.ReadAllAsync().ConfigureAwait(false))
            {
                await responseStream.WriteAsync(await pending.ConfigureAwait(false)).ConfigureAwait(false);
            }
        }
        catch
        {
            await cancel.CancelAsync().ConfigureAwait(false);
            throw;
        }
    }
}
