using Federation.Hub.Domain;
using Federation.Hub.Storage;

namespace Federation.Hub.Feed;

/// <summary>
/// One open Subscribe call as <see cref="FeedAccessMonitor"/> sees it: whose it is, the member's current
/// record (groups change while the stream is open), and a way to end it with a status.
/// </summary>
internal sealed class FeedSession : IDisposable
{
    private readonly CancellationTokenSource cancellation;
    private readonly Action<FeedSession> unregister;
    private volatile MemberRecord member;
    private volatile HubException? termination;

    public FeedSession(MemberRecord member, Action<FeedSession> unregister, CancellationToken callToken)
    {
        this.member = member;
        CredentialsIssuedAt = member.CredentialsIssuedAt;
        this.unregister = unregister;
        cancellation = CancellationTokenSource.CreateLinkedTokenSource(callToken);
    }

    /// <summary>The member id.</summary>
    public string MemberId => member.Id;

    /// <summary>
    /// The credentials the stream's token was obtained with (the caller's record, whose stamp the token matched when
    /// the stream opened); a member record with other credentials means they were rotated since.
    /// </summary>
    public DateTimeOffset CredentialsIssuedAt { get; }

    /// <summary>The member's record as last read; its groups decide visibility of each update.</summary>
    public MemberRecord Member
    {
        get => member;
        set => member = value;
    }

    /// <summary>Cancelled when the client goes away or the hub ends the stream.</summary>
    public CancellationToken Token => cancellation.Token;

    /// <summary>Why the hub ended the stream; null while it is open or when the client left.</summary>
    public HubException? Termination => termination;

    /// <summary>Ends the stream with <paramref name="reason"/> (the first reason wins).</summary>
    public void Terminate(HubException reason)
    {
        lock (cancellation)
        {
            if (termination is not null)
            {
                return;
            }

            termination = reason;
        }

        try
        {
            cancellation.Cancel();
        }
        catch (ObjectDisposedException)
        {
            // The stream already ended.
        }
    }

    public void Dispose()
    {
        unregister(this);
        cancellation.Dispose();
    }
}
