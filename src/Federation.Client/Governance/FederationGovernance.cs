using Federation.Client.Internal;
using Federation.Contracts.V1;

namespace Federation.Client.Governance;

/// <summary>
/// Coalition governance controls for administrators (scope <c>federation.admin</c>): the known-benign list, quarantine,
/// release and overturn of signals (docs/governance.md). Obtain it
/// from <see cref="FederationClient.Governance"/>. Calls are retried on transient failures like every other SDK call;
/// operations are virtual and a protected constructor exists for test substitutes.
/// </summary>
public class FederationGovernance
{
    private readonly GovernanceService.GovernanceServiceClient client;
    private readonly AuthorizedCalls calls;

    /// <summary>For test doubles only: an instance without a connection, every operation of which a subclass overrides.</summary>
    protected FederationGovernance()
    {
        client = null!;
        calls = null!;
    }

    internal FederationGovernance(GovernanceService.GovernanceServiceClient client, AuthorizedCalls calls)
    {
        this.client = client;
        this.calls = calls;
    }

    /// <summary>Lists a hash as known-benign (or updates its reason and distance): submissions of it are then rejected and look-ups flag it.</summary>
    /// <param name="type">The signal type.</param>
    /// <param name="value">The hash (hex).</param>
    /// <param name="reason">Why it must never circulate as abuse (1-500 characters); shown to members who match it.</param>
    /// <param name="maxDistance">PDQ only: the match distance (default: the hub's PDQ match distance).</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    public virtual Task<AddBenignResponse> AddBenignAsync(SignalType type, string value, string reason, uint? maxDistance = null, CancellationToken cancellationToken = default)
    {
        var request = new AddBenignRequest { Signal = new SignalRef { Type = type, Value = value }, Reason = reason };
        if (maxDistance is { } distance)
        {
            request.MaxDistance = distance;
        }

        return calls.UnaryAsync(o => client.AddBenignAsync(request, o), cancellationToken);
    }

    /// <summary>Takes a hash off the known-benign list; returns the entry as it was.</summary>
    /// <exception cref="FederationException">NOT_FOUND when it is not listed.</exception>
    public virtual async Task<BenignEntry> RemoveBenignAsync(SignalType type, string value, string reason = "", CancellationToken cancellationToken = default)
    {
        var request = new RemoveBenignRequest { Signal = new SignalRef { Type = type, Value = value }, Reason = reason };
        return (await calls.UnaryAsync(o => client.RemoveBenignAsync(request, o), cancellationToken).ConfigureAwait(false)).Entry;
    }

    /// <summary>The whole known-benign list, ordered by signal id.</summary>
    public virtual async Task<IReadOnlyList<BenignEntry>> ListBenignAsync(CancellationToken cancellationToken = default) =>
        (await calls.UnaryAsync(o => client.ListBenignAsync(new ListBenignRequest(), o), cancellationToken).ConfigureAwait(false)).Entries;

    /// <summary>Every quarantined signal, oldest quarantine first, with why and since when.</summary>
    public virtual async Task<IReadOnlyList<QuarantinedSignal>> ListQuarantinedAsync(CancellationToken cancellationToken = default) =>
        (await calls.UnaryAsync(o => client.ListQuarantinedAsync(new ListQuarantinedRequest(), o), cancellationToken).ConfigureAwait(false)).Signals;

    /// <summary>Active signals members disputed, quarantined or not, most disputed first (at most 500).</summary>
    /// <param name="minDisputes">Only those with at least this many DISPUTED + FALSE_POSITIVE opinions (0 means 1).</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    public virtual async Task<IReadOnlyList<Signal>> ListDisputedAsync(uint minDisputes = 0, CancellationToken cancellationToken = default) =>
        (await calls.UnaryAsync(o => client.ListDisputedAsync(new ListDisputedRequest { MinDisputes = minDisputes }, o), cancellationToken).ConfigureAwait(false)).Signals;

    /// <summary>Quarantines an active signal by hand: withheld from members but its contributors until released or overturned.</summary>
    /// <exception cref="FederationException">FAILED_PRECONDITION when it is not active or already quarantined; NOT_FOUND when unknown.</exception>
    public virtual Task<Signal> QuarantineAsync(SignalType type, string value, string reason, string sharingGroup = "", CancellationToken cancellationToken = default) =>
        QuarantineAsync(new SignalRef { Type = type, Value = value }, reason, sharingGroup, cancellationToken);

    /// <summary>Quarantines the signal <paramref name="signal"/> names (with its key id for the keyed types).</summary>
    public virtual async Task<Signal> QuarantineAsync(SignalRef signal, string reason, string sharingGroup = "", CancellationToken cancellationToken = default)
    {
        var request = new QuarantineSignalRequest { Signal = signal, SharingGroup = sharingGroup, Reason = reason };
        return (await calls.UnaryAsync(o => client.QuarantineSignalAsync(request, o), cancellationToken).ConfigureAwait(false)).Signal;
    }

    /// <summary>Releases a quarantined signal: active again for everyone, and not quarantined again by the opinion policy.</summary>
    /// <exception cref="FederationException">FAILED_PRECONDITION when it is not quarantined.</exception>
    public virtual Task<Signal> ReleaseAsync(SignalType type, string value, string reason, string sharingGroup = "", CancellationToken cancellationToken = default) =>
        ReleaseAsync(new SignalRef { Type = type, Value = value }, reason, sharingGroup, cancellationToken);

    /// <summary>Releases the signal <paramref name="signal"/> names (with its key id for the keyed types).</summary>
    public virtual async Task<Signal> ReleaseAsync(SignalRef signal, string reason, string sharingGroup = "", CancellationToken cancellationToken = default)
    {
        var request = new ReleaseSignalRequest { Signal = signal, SharingGroup = sharingGroup, Reason = reason };
        return (await calls.UnaryAsync(o => client.ReleaseSignalAsync(request, o), cancellationToken).ConfigureAwait(false)).Signal;
    }

    /// <summary>
    /// Overturns a signal with a reason: an OVERTURNED tombstone, and every member that recorded an action on it is told;
    /// with <paramref name="addToBenign"/> the hash also goes on the known-benign list.
    /// </summary>
    public virtual Task<OverturnSignalResponse> OverturnAsync(
        SignalType type, string value, string reason, bool addToBenign = false, string sharingGroup = "", CancellationToken cancellationToken = default) =>
        OverturnAsync(new SignalRef { Type = type, Value = value }, reason, addToBenign, sharingGroup, cancellationToken);

    /// <summary>Overturns the signal <paramref name="signal"/> names (with its key id for the keyed types).</summary>
    public virtual Task<OverturnSignalResponse> OverturnAsync(
        SignalRef signal, string reason, bool addToBenign = false, string sharingGroup = "", CancellationToken cancellationToken = default)
    {
        var request = new OverturnSignalRequest { Signal = signal, SharingGroup = sharingGroup, Reason = reason, AddToBenign = addToBenign };
        return calls.UnaryAsync(o => client.OverturnSignalAsync(request, o), cancellationToken);
    }

    /// <summary>The transparency report of the UTC days <paramref name="from"/> to <paramref name="to"/> inclusive.</summary>
    /// <param name="from">First day.</param>
    /// <param name="to">Last day.</param>
    /// <param name="minMemberContributions">Members with fewer contributions are only counted together (0: the hub's default, 10).</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    public virtual async Task<TransparencyReport> GetTransparencyReportAsync(DateOnly from, DateOnly to, uint minMemberContributions = 0, CancellationToken cancellationToken = default)
    {
        var request = new GetTransparencyReportRequest
        {
            FromDate = from.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture),
            ToDate = to.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture),
            MinMemberContributions = minMemberContributions,
        };
        return (await calls.UnaryAsync(o => client.GetTransparencyReportAsync(request, o), cancellationToken).ConfigureAwait(false)).Report;
    }
}
