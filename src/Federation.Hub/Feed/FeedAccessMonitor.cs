using System.Collections.Concurrent;
using Federation.Hub.Domain;
using Federation.Hub.Storage;

namespace Federation.Hub.Feed;

/// <summary>
/// Keeps open feed streams within the rules while they run: on <see cref="RedisKeys.MemberStatusChannel"/>
/// (published by every status or group change) it re-reads the member and ends its streams on this replica
/// with PERMISSION_DENIED when it is no longer active, with UNAUTHENTICATED when its credentials were rotated since the
/// stream's token was issued, or updates the groups its updates are checked against.
/// When the replica stops, every stream ends with UNAVAILABLE so clients resume on another replica.
/// </summary>
public sealed class FeedAccessMonitor(
    MemberStore members, IHostApplicationLifetime lifetime, ILogger<FeedAccessMonitor> logger) : IHostedService
{
    private readonly ConcurrentDictionary<string, ConcurrentDictionary<FeedSession, byte>> sessions = new(StringComparer.Ordinal);
    // Attempts of one re-check against an unavailable store, ReconnectInterval apart (about 10 s in all).
    private const int RecheckAttempts = 50;

    private CancellationTokenRegistration stopping;
    private IDisposable? reconnected;

    /// <summary>Open streams on this replica.</summary>
    public int OpenStreams => sessions.Values.Sum(s => s.Count);

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        await members.SubscribeStatusChangesAsync(memberId => _ = RecheckAsync(memberId)).ConfigureAwait(false);
        // A change published while this replica was disconnected from Redis is lost with the message: re-check all.
        reconnected = members.OnReconnected(OnConnectionRestored);
        stopping = lifetime.ApplicationStopping.Register(EndAllForShutdown);
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        reconnected?.Dispose();
        await stopping.DisposeAsync().ConfigureAwait(false);
        EndAllForShutdown();
    }

    /// <summary>The member records the open streams of <paramref name="memberId"/> currently apply (for tests and diagnostics).</summary>
    internal IReadOnlyList<MemberRecord> MembersOf(string memberId) =>
        sessions.TryGetValue(memberId, out var open) ? open.Keys.Select(s => s.Member).ToArray() : [];

    /// <summary>Registers an open stream; the caller disposes the session when the stream ends.</summary>
    internal async Task<FeedSession> OpenAsync(MemberRecord member, CancellationToken callToken)
    {
        if (lifetime.ApplicationStopping.IsCancellationRequested)
        {
            throw ShuttingDown;
        }

        var session = new FeedSession(member, Remove, callToken);
        sessions.GetOrAdd(member.Id, _ => new ConcurrentDictionary<FeedSession, byte>())[session] = 0;

        // A status change published between the interceptor's check and the registration above would be missed.
        var current = await members.GetAsync(member.Id).ConfigureAwait(false);
        if (current is null || !current.IsActive)
        {
            session.Dispose();
            throw Denied(member.Id, current);
        }

        if (current.CredentialsIssuedAt != session.CredentialsIssuedAt)
        {
            session.Dispose();
            throw Rotated;
        }

        session.Member = current;
        return session;
    }

    private static HubException ShuttingDown => HubErrors.Unavailable("This hub replica is shutting down; resubscribe with your last cursor (start CURSOR).");

    private static HubException Rotated => HubErrors.Unauthenticated(
        "The member's credentials were rotated; this stream's token is revoked. Request a new token and resubscribe with your last cursor.");

    private static HubException Denied(string memberId, MemberRecord? member) =>
        HubErrors.PermissionDenied(
            $"Member '{memberId}' is {member?.Status.ToString().ToLowerInvariant() ?? "removed"}; its feed is closed. Contact the coalition administrator.");

    private void Remove(FeedSession session)
    {
        if (sessions.TryGetValue(session.MemberId, out var open))
        {
            open.TryRemove(session, out _);
        }
    }

    private async Task RecheckAsync(string memberId)
    {
        if (!sessions.TryGetValue(memberId, out var open) || open.IsEmpty)
        {
            return;
        }

        try
        {
            var member = await ReadForRecheckAsync(memberId).ConfigureAwait(false);
            foreach (var session in open.Keys)
            {
                if (member is null || !member.IsActive)
                {
                    session.Terminate(Denied(memberId, member));
                }
                else if (member.CredentialsIssuedAt != session.CredentialsIssuedAt)
                {
                    session.Terminate(Rotated);
                }
                else
                {
                    session.Member = member;
                }
            }

            if (member is null || !member.IsActive)
            {
                logger.LogInformation("Ended {Count} feed stream(s) of member {MemberId}: {Status}", open.Count, memberId, member?.Status);
            }
        }
        catch (OperationCanceledException) when (lifetime.ApplicationStopping.IsCancellationRequested)
        {
            // Shutting down: every stream ends with UNAVAILABLE anyway.
        }
        catch (Exception e) when (StoreFailures.IsStoreFailure(e) || StoreFailures.IsStoreError(e))
        {
            // Cannot read the member: fail closed rather than keep streaming to someone who may be suspended.
            logger.LogWarning("Cannot re-check member {MemberId} ({Message}); ending its feed streams", memberId, e.Message);
            foreach (var session in open.Keys)
            {
                session.Terminate(HubErrors.Unavailable("The hub could not re-check your membership because its store (Redis) is unavailable; resubscribe with your last cursor (start CURSOR) after the retry-after-ms delay."));
            }
        }
    }

    // A re-check right after a reconnect often meets a Redis that is still loading its data set (LOADING) or a
    // connection that drops again: retry for a few seconds before ending streams. Nothing new reaches the streams
    // meanwhile (the tail reads the same unavailable Redis), so waiting does not stream to an unverified member.
    private async Task<MemberRecord?> ReadForRecheckAsync(string memberId)
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                return await members.GetAsync(memberId).ConfigureAwait(false);
            }
            catch (Exception e) when (StoreFailures.IsStoreFailure(e) && attempt < RecheckAttempts)
            {
                await Task.Delay(StoreConnection.ReconnectInterval, lifetime.ApplicationStopping).ConfigureAwait(false);
            }
        }
    }

    private void OnConnectionRestored()
    {
        foreach (var memberId in sessions.Keys)
        {
            _ = RecheckAsync(memberId);
        }
    }

    private void EndAllForShutdown()
    {
        foreach (var open in sessions.Values)
        {
            foreach (var session in open.Keys)
            {
                session.Terminate(ShuttingDown);
            }
        }
    }
}
