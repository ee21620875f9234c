using Federation.Client.Auth;
using Federation.Client.Governance;
using Federation.Client.Internal;
using Federation.Client.Membership;
using Federation.Client.Subscriptions;
using Federation.Contracts.V1;
using Grpc.Net.Client;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Federation.Client;

/// <summary>
/// A member's connection to a Federation hub: obtains and renews OAuth 2.0 client-credentials tokens,
/// retries transient failures, splits large submissions into batches and follows the live feed with
/// automatic resumption. Thread-safe; create one per process and reuse it.
/// Every operation is virtual and a protected constructor exists, so tests of code that uses the client can substitute
/// it (mocking libraries or a hand-written subclass) without a hub.
/// </summary>
public class FederationClient : IDisposable, IAsyncDisposable
{
    private readonly FederationClientOptions options;
    private readonly GrpcChannel channel;
    private readonly HttpClient? ownedTokenHttp;
    private readonly AccessTokenProvider tokens;
    private readonly AuthorizedCalls calls;
    private readonly SignalService.SignalServiceClient signals;
    private readonly ILogger logger;

    /// <summary>For test doubles only: a client without a connection, every operation of which a subclass overrides.</summary>
    protected FederationClient()
    {
        options = new FederationClientOptions();
        channel = null!;
        tokens = null!;
        calls = null!;
        signals = null!;
        logger = NullLogger.Instance;
        Membership = null!;
        Governance = null!;
    }

    /// <summary>Creates a client that owns its HTTP connections.</summary>
    /// <param name="options">Hub address, credentials, retry settings; validated here.</param>
    /// <param name="loggerFactory">Where retries and reconnects are logged; none by default.</param>
    public FederationClient(FederationClientOptions options, ILoggerFactory? loggerFactory = null)
        : this(options, null, loggerFactory, TimeProvider.System)
    {
    }

    /// <summary>Creates a client whose token requests go through <paramref name="tokenHttpClient"/> (e.g. from IHttpClientFactory).</summary>
    /// <param name="options">Hub address, credentials, retry settings; validated here.</param>
    /// <param name="tokenHttpClient">HTTP client for the token endpoint; not disposed by this client.</param>
    /// <param name="loggerFactory">Where retries and reconnects are logged; none by default.</param>
    public FederationClient(FederationClientOptions options, HttpClient tokenHttpClient, ILoggerFactory? loggerFactory = null)
        : this(options, tokenHttpClient ?? throw new ArgumentNullException(nameof(tokenHttpClient)), loggerFactory, TimeProvider.System)
    {
    }

    /// <summary>
    /// Creates a client whose token requests go through <paramref name="tokenHttpClient"/> and whose gRPC calls go through
    /// <paramref name="grpcHandler"/> (e.g. <c>IHttpMessageHandlerFactory.CreateHandler</c>, so the application's delegating
    /// handlers, proxy and TLS settings apply; start its pipeline from <see cref="CreateGrpcHandler"/>).
    /// </summary>
    /// <param name="options">Hub address, credentials, retry settings; validated here.</param>
    /// <param name="tokenHttpClient">HTTP client for the token endpoint; not disposed by this client.</param>
    /// <param name="grpcHandler">HTTP/2 handler for the gRPC channel; not disposed by this client.</param>
    /// <param name="loggerFactory">Where retries and reconnects are logged; none by default.</param>
    public FederationClient(FederationClientOptions options, HttpClient tokenHttpClient, HttpMessageHandler grpcHandler, ILoggerFactory? loggerFactory = null)
        : this(options, tokenHttpClient ?? throw new ArgumentNullException(nameof(tokenHttpClient)), loggerFactory, TimeProvider.System,
            grpcHandler ?? throw new ArgumentNullException(nameof(grpcHandler)))
    {
    }

    internal FederationClient(FederationClientOptions options, HttpClient? tokenHttpClient, ILoggerFactory? loggerFactory, TimeProvider time, HttpMessageHandler? grpcHandler = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        this.options = options;
        loggerFactory ??= NullLoggerFactory.Instance;
        logger = loggerFactory.CreateLogger<FederationClient>();
        if (tokenHttpClient is null)
        {
            ownedTokenHttp = new HttpClient { Timeout = TimeSpan.FromSeconds(30) };
            tokenHttpClient = ownedTokenHttp;
        }

        tokens = new AccessTokenProvider(
            tokenHttpClient, new TokenEndpointDiscovery(options, tokenHttpClient, logger), options.ClientId, options.ClientSecret, options.EffectiveScopes, options.TokenRefreshSkew, time, logger);
        calls = new AuthorizedCalls(tokens, options, time, logger);
        channel = GrpcChannel.ForAddress(options.HubAddress!, new GrpcChannelOptions
        {
            LoggerFactory = loggerFactory,
            MaxReceiveMessageSize = 64 * 1024 * 1024,
            HttpHandler = grpcHandler ?? CreateGrpcHandler(),
            // A handler handed in belongs to whoever made it (IHttpClientFactory pools and disposes its own).
            DisposeHttpClient = grpcHandler is null,
        });
        signals = new SignalService.SignalServiceClient(channel);
        Membership = new FederationMembership(new MembershipService.MembershipServiceClient(channel), calls);
        Governance = new FederationGovernance(new GovernanceService.GovernanceServiceClient(channel), calls);
    }

    /// <summary>
    /// The HTTP/2 handler the client's gRPC channel uses by default: several HTTP/2 connections when one is full (a feed
    /// stream next to bulk submissions), keep-alive pings so a dead connection is noticed within 40 s, pooled connections
    /// kept while idle (a quiet subscription), and a 10 s connect timeout.
    /// </summary>
    public static SocketsHttpHandler CreateGrpcHandler() => new()
    {
        EnableMultipleHttp2Connections = true,
        KeepAlivePingDelay = TimeSpan.FromSeconds(30),
        KeepAlivePingTimeout = TimeSpan.FromSeconds(10),
        PooledConnectionIdleTimeout = Timeout.InfiniteTimeSpan,
        ConnectTimeout = TimeSpan.FromSeconds(10),
    };

    /// <summary>Coalition administration calls (needs scope <c>federation.admin</c>).</summary>
    public virtual FederationMembership Membership { get; }

    /// <summary>Coalition governance controls: the known-benign list (needs scope <c>federation.admin</c>).</summary>
    public virtual FederationGovernance Governance { get; }

    /// <summary>The options this client was built from.</summary>
    public FederationClientOptions Options => options;

    /// <summary>The token source (tests observe refreshes through it).</summary>
    internal AccessTokenProvider Tokens => tokens;

    /// <summary>Obtains an access token now (or returns the cached one): checks the credentials without calling the hub's gRPC port.</summary>
    /// <exception cref="FederationAuthenticationException">The token endpoint refused the credentials or scopes.</exception>
    public virtual async Task<string> GetAccessTokenAsync(CancellationToken cancellationToken = default) =>
        await tokens.GetAsync(cancellationToken).ConfigureAwait(false);

    /// <summary>
    /// Submits any number of signals. They are sent in batches of at most
    /// <see cref="FederationClientOptions.SubmitBatchSize"/> (≤ 1000); each batch carries the request id
    /// <c>&lt;requestId&gt;-&lt;n&gt;</c> and keeps it across retries, so a retried or repeated submission with the
    /// same <paramref name="requestId"/> is never counted twice. Rejected items do not stop the others.
    /// </summary>
    /// <param name="items">What to submit.</param>
    /// <param name="requestId">Idempotency key of the whole submission (1-100 printable ASCII characters); a new GUID when omitted.</param>
    /// <param name="progress">
    /// Told after each acknowledged batch. When given, batches are smaller for small and mid-size submissions (about 20
    /// reports, at least 100 items per batch, at most <see cref="FederationClientOptions.SubmitBatchSize"/>).
    /// </param>
    /// <param name="cancellationToken">Stops between or during batches; acknowledged batches stay stored.</param>
    /// <returns>One result per item, in order, with indices relative to the whole submission.</returns>
    public virtual async Task<SubmissionResult> SubmitAsync(
        IEnumerable<SignalSubmission> items, string? requestId = null, IProgress<SubmitProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(items);
        requestId = CheckedRequestId(requestId);

        var all = items as IReadOnlyList<SignalSubmission> ?? items.ToList();
        var results = new List<SubmitResult>(all.Count);
        var tokens = new List<string>();
        var batchSize = progress is null ? options.SubmitBatchSize : ProgressBatchSize(all.Count, options.SubmitBatchSize);
        int batches = 0, replayed = 0, created = 0, corroborated = 0, unchanged = 0, rejected = 0;
        for (var offset = 0; offset < all.Count; offset += batchSize)
        {
            var count = Math.Min(batchSize, all.Count - offset);
            var request = new SubmitRequest { RequestId = $"{requestId}-{batches}" };
            for (var i = 0; i < count; i++)
            {
                request.Items.Add(all[offset + i]);
            }

            var response = await calls.UnaryAsync(o => signals.SubmitAsync(request, o), cancellationToken).ConfigureAwait(false);
            batches++;
            replayed += response.Replayed ? 1 : 0;
            if (response.ConsistencyToken.Length > 0)
            {
                tokens.Add(response.ConsistencyToken);
            }

            foreach (var result in response.Results)
            {
                var global = result.Clone();
                global.Index = (uint)(offset + (int)result.Index);
                results.Add(global);
            }

            created += (int)response.Summary.Created;
            corroborated += (int)response.Summary.Corroborated;
            unchanged += (int)response.Summary.Unchanged;
            rejected += (int)response.Summary.Rejected;
            progress?.Report(new SubmitProgress(offset + count, all.Count, created, corroborated, unchanged, rejected));
        }

        return new SubmissionResult(results, batches, replayed, tokens);
    }

    // With a progress reporter, batches are cut so that a submission reports about ProgressReports times (each batch is one
    // acknowledgement, the only progress there is), never below MinProgressBatch items: a 2,000-item upload moves its bar
    // twenty times instead of twice, and a large one keeps full batches.
    private const int ProgressReports = 20, MinProgressBatch = 100;

    private static int ProgressBatchSize(int total, int maxBatch) =>
        Math.Min(maxBatch, Math.Max(MinProgressBatch, (total + ProgressReports - 1) / ProgressReports));

    /// <summary>
    /// Bulk load over one <c>SubmitStream</c> call: reads <paramref name="items"/> as it goes (any size, e.g. straight from
    /// a file), sends batches of <see cref="FederationClientOptions.SubmitBatchSize"/> with request ids
    /// <c>&lt;requestId&gt;-&lt;n&gt;</c>, keeps at most <see cref="FederationClientOptions.SubmitStreamWindow"/>
    /// unacknowledged, and reports progress after each acknowledged batch. When the stream breaks (a replica dies, the
    /// store is unavailable, the connection drops) it waits the hub's <c>retry-after-ms</c> or backs off, opens a new
    /// stream and resends the unacknowledged batches with their same request ids, so nothing is lost or counted twice;
    /// it gives up after <see cref="FederationClientOptions.MaxRetryAttempts"/> consecutive breaks without progress.
    /// </summary>
    /// <param name="items">What to submit; enumerated once.</param>
    /// <param name="requestId">Idempotency key of the whole submission (1-100 printable ASCII characters); a new GUID when omitted.</param>
    /// <param name="progress">Told after each acknowledged batch; its total is the items read so far.</param>
    /// <param name="cancellationToken">Stops the submission; acknowledged batches stay stored.</param>
    /// <returns>One result per item, in order, with indices relative to the whole submission (no replay count: stream acknowledgements do not carry it).</returns>
    public virtual Task<SubmissionResult> SubmitStreamAsync(
        IAsyncEnumerable<SignalSubmission> items, string? requestId = null, IProgress<SubmitProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(items);
        return new BulkSubmission(signals, calls, options, logger).RunAsync(items, CheckedRequestId(requestId), progress, cancellationToken);
    }

    /// <summary>Submits one batch of at most 1000 items as it is (no splitting), with the given idempotency key.</summary>
    public virtual Task<SubmitResponse> SubmitBatchAsync(SubmitRequest request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (request.RequestId.Length == 0)
        {
            request.RequestId = Guid.NewGuid().ToString("N");
        }

        return calls.UnaryAsync(o => signals.SubmitAsync(request, o), cancellationToken);
    }

    /// <summary>Looks signals up: exact for hash types, near-match for PDQ. More than 1000 queries are split into several calls.</summary>
    /// <returns>One result per query, in order, with indices relative to the whole list.</returns>
    public virtual Task<IReadOnlyList<LookupResult>> LookupAsync(IEnumerable<LookupQuery> queries, CancellationToken cancellationToken = default) =>
        LookupAsync(queries, filter: null, [], cancellationToken);

    /// <summary>
    /// Looks signals up like <see cref="LookupAsync(IEnumerable{LookupQuery}, CancellationToken)"/>, returning only matches
    /// within <paramref name="filter"/>'s confidence and share-level bounds (<see langword="null"/>: no bounds).
    /// </summary>
    /// <returns>One result per query, in order, with indices relative to the whole list.</returns>
    /// <exception cref="FederationException">INVALID_ARGUMENT when a bound is out of range (confidence above 100, an unknown level).</exception>
    public virtual Task<IReadOnlyList<LookupResult>> LookupAsync(IEnumerable<LookupQuery> queries, LookupFilter? filter, CancellationToken cancellationToken = default) =>
        LookupAsync(queries, filter, [], cancellationToken);

    /// <summary>
    /// Looks signals up as <see cref="LookupAsync(IEnumerable{LookupQuery}, LookupFilter, CancellationToken)"/> does, seeing at least
    /// the writes named by <paramref name="consistencyTokens"/> (<see cref="SubmissionResult.ConsistencyTokens"/>, at most 100) on
    /// whichever hub replica answers: PDQ near-matches wait (bounded) until that replica's index has applied them.
    /// </summary>
    /// <returns>One result per query, in order, with indices relative to the whole list.</returns>
    public virtual async Task<IReadOnlyList<LookupResult>> LookupAsync(
        IEnumerable<LookupQuery> queries, LookupFilter? filter, IReadOnlyList<string> consistencyTokens, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(queries);
        ArgumentNullException.ThrowIfNull(consistencyTokens);
        var all = queries as IReadOnlyList<LookupQuery> ?? queries.ToList();
        var results = new List<LookupResult>(all.Count);
        for (var offset = 0; offset < all.Count; offset += 1000)
        {
            var request = new LookupRequest
            {
                ConsistencyTokens = { consistencyTokens },
                MinConfidence = filter?.MinConfidence ?? 0,
                MaxShareLevel = filter?.MaxShareLevel ?? ShareLevel.Unspecified,
            };
            request.Queries.AddRange(all.Skip(offset).Take(1000));
            var response = await calls.UnaryAsync(o => signals.LookupAsync(request, o), cancellationToken).ConfigureAwait(false);
            foreach (var result in response.Results)
            {
                var global = result.Clone();
                global.Index = (uint)(offset + (int)result.Index);
                results.Add(global);
            }
        }

        return results;
    }

    /// <summary>Looks up one signal; returns its matches (empty when unknown).</summary>
    public virtual async Task<IReadOnlyList<LookupMatch>> LookupAsync(SignalType type, string value, CancellationToken cancellationToken = default)
    {
        var results = await LookupAsync([new LookupQuery { Type = type, Value = value }], cancellationToken).ConfigureAwait(false);
        var result = results[0];
        if (result.Error is { } error)
        {
            throw new ArgumentException(error.Description, nameof(value));
        }

        return result.Matches;
    }

    /// <summary>Records, changes or (with <see cref="Opinion.Unspecified"/>) withdraws the caller's opinion of a signal.</summary>
    public virtual Task<SetOpinionResponse> SetOpinionAsync(SignalType type, string value, Opinion opinion, string sharingGroup = "", CancellationToken cancellationToken = default) =>
        SetOpinionAsync(new SignalRef { Type = type, Value = value }, opinion, sharingGroup, cancellationToken);

    /// <summary>
    /// Records, changes or withdraws the caller's opinion of the signal <paramref name="signal"/> names; a keyed signal's
    /// reference carries its key id (<see cref="Hashing.KeyedValue.ToSignalRef"/>).
    /// </summary>
    public virtual Task<SetOpinionResponse> SetOpinionAsync(SignalRef signal, Opinion opinion, string sharingGroup = "", CancellationToken cancellationToken = default)
    {
        var request = new SetOpinionRequest { Signal = signal, Opinion = opinion, SharingGroup = sharingGroup };
        return calls.UnaryAsync(o => signals.SetOpinionAsync(request, o), cancellationToken);
    }

    /// <summary>Withdraws the caller's own contribution to a signal.</summary>
    public virtual Task<Signal> RetractAsync(SignalType type, string value, string sharingGroup = "", CancellationToken cancellationToken = default) =>
        RetractAsync(new SignalRef { Type = type, Value = value }, sharingGroup, cancellationToken);

    /// <summary>Withdraws the caller's own contribution to the signal <paramref name="signal"/> names (with its key id when keyed).</summary>
    public virtual async Task<Signal> RetractAsync(SignalRef signal, string sharingGroup = "", CancellationToken cancellationToken = default)
    {
        var request = new RetractRequest { Signal = signal, SharingGroup = sharingGroup };
        return (await calls.UnaryAsync(o => signals.RetractAsync(request, o), cancellationToken).ConfigureAwait(false)).Signal;
    }

    /// <summary>
    /// Records that this member acted on a signal (removed content, actioned an account, reported to a hotline...), with
    /// its own reference; should the signal be overturned, <see cref="WatchNoticesAsync"/> tells it, with the references.
    /// </summary>
    public virtual Task<RecordActionResponse> RecordActionAsync(
        SignalType type, string value, ActionKind kind, string reference, string sharingGroup = "", CancellationToken cancellationToken = default) =>
        RecordActionAsync(new SignalRef { Type = type, Value = value }, kind, reference, sharingGroup, cancellationToken);

    /// <summary>Records an action on the signal <paramref name="signal"/> names (with its key id for the keyed types).</summary>
    public virtual Task<RecordActionResponse> RecordActionAsync(
        SignalRef signal, ActionKind kind, string reference, string sharingGroup = "", CancellationToken cancellationToken = default)
    {
        var request = new RecordActionRequest { Signal = signal, SharingGroup = sharingGroup, Kind = kind, Reference = reference };
        return calls.UnaryAsync(o => signals.RecordActionAsync(request, o), cancellationToken);
    }

    /// <summary>
    /// This member's overturn notices — signals it recorded an action on that were overturned — until
    /// <paramref name="cancellationToken"/> is cancelled: first those after <paramref name="cursor"/> (all kept, when null),
    /// then new ones as they come. Reconnects by itself with backoff and resumes after the last notice handed over; pass
    /// the last <see cref="OverturnNotice.Cursor"/> you handled to continue after a restart. With
    /// <paramref name="untilCaughtUp"/> the enumeration ends once every notice the hub holds has been handed over.
    /// </summary>
    public virtual IAsyncEnumerable<OverturnNotice> WatchNoticesAsync(string? cursor = null, bool untilCaughtUp = false, CancellationToken cancellationToken = default) =>
        new Subscriptions.ResumableNotices(signals, calls, options, logger).RunAsync(cursor, untilCaughtUp, cancellationToken);

    /// <summary>
    /// Follows the live feed until <paramref name="cancellationToken"/> is cancelled. The enumeration
    /// survives hub restarts and network failures: it reconnects by itself with backoff and resumes
    /// strictly after the last update the consumer processed (no gap, no repeat). With a
    /// <see cref="SubscriptionOptions.CursorStore"/> a restarted process continues where it stopped.
    /// An update counts as processed when the loop asks for the next one or is left (<c>break</c>, <c>return</c>,
    /// cancellation, disposal) — also when the loop body throws, which the enumerator cannot tell from a <c>break</c>:
    /// use <see cref="ProcessUpdatesAsync"/> where a failed update must be delivered again.
    /// </summary>
    /// <exception cref="FederationCursorExpiredException">The cursor is older than the retained feed and <see cref="SubscriptionOptions.SnapshotOnExpiredCursor"/> is off.</exception>
    /// <exception cref="Grpc.Core.RpcException">A non-transient refusal such as PERMISSION_DENIED (suspended member) or INVALID_ARGUMENT.</exception>
    public virtual IAsyncEnumerable<SignalUpdate> SubscribeAsync(SubscriptionOptions? subscription = null, CancellationToken cancellationToken = default) =>
        new ResumableSubscription(signals, calls, options, subscription ?? new SubscriptionOptions(), logger).RunAsync(commitOnLeave: true, cancellationToken);

    /// <summary>
    /// Follows the live feed like <see cref="SubscribeAsync"/>, handing each update to <paramref name="handler"/>; an update
    /// counts as processed (its cursor is saved to <see cref="SubscriptionOptions.CursorStore"/>) only once the handler
    /// has returned. When the handler throws, the subscription ends with that exception and the update is not saved, so a
    /// restarted consumer gets it again (at-least-once); use this where failing to process an update must not lose it.
    /// </summary>
    /// <param name="handler">Processes one update; receives <paramref name="cancellationToken"/>.</param>
    /// <param name="subscription">Start, filters and cursor store; defaults as in <see cref="SubscribeAsync"/>.</param>
    /// <param name="cancellationToken">Ends the subscription (after the update being handled is saved).</param>
    /// <returns>A task that ends when <paramref name="cancellationToken"/> is cancelled or the subscription fails.</returns>
    public virtual async Task ProcessUpdatesAsync(
        Func<SignalUpdate, CancellationToken, ValueTask> handler, SubscriptionOptions? subscription = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(handler);
        var updates = new ResumableSubscription(signals, calls, options, subscription ?? new SubscriptionOptions(), logger)
            .RunAsync(commitOnLeave: false, cancellationToken);
        await foreach (var update in updates.ConfigureAwait(false))
        {
            await handler(update, cancellationToken).ConfigureAwait(false);
        }
    }

    private static string CheckedRequestId(string? requestId)
    {
        requestId ??= Guid.NewGuid().ToString("N");
        return requestId.Length is 0 or > 100 || requestId.Any(c => c is < '!' or > '~')
            ? throw new ArgumentException("requestId must be 1-100 printable ASCII characters without spaces", nameof(requestId))
            : requestId;
    }

    /// <inheritdoc />
    public void Dispose()
    {
        Dispose(disposing: true);
        GC.SuppressFinalize(this);
    }

    /// <inheritdoc />
    public ValueTask DisposeAsync()
    {
        // Nothing here has asynchronous clean-up (the channel and HTTP handlers close synchronously); the interface lets
        // callers write `await using` and lets subclasses add asynchronous clean-up.
        Dispose(disposing: true);
        GC.SuppressFinalize(this);
        return ValueTask.CompletedTask;
    }

    /// <summary>Releases the channel, the token provider and the HTTP client this client owns.</summary>
    /// <param name="disposing">True from <see cref="Dispose()"/>; false from a finalizer (nothing to release then).</param>
    protected virtual void Dispose(bool disposing)
    {
        if (disposing)
        {
            channel?.Dispose();
            tokens?.Dispose();
            ownedTokenHttp?.Dispose();
        }
    }
}
