namespace Federation.Core.Signals;

/// <summary>
/// The unique identity of one stored record. A signal (type, value) may be stored once coalition-wide and once per
/// sharing group it was shared with; each of those is its own record with its own corroborations and opinions, so
/// clients need an identity that tells them apart. The coalition-wide record keeps the signal id itself (so the ids
/// clients derived before the field existed still name it); a group's record appends <c>@&lt;group&gt;</c>, which can
/// never collide because group names are <c>[a-z0-9-]</c> and signal ids contain no <c>@</c>.
/// </summary>
public static class SignalRecordId
{
    /// <summary>The separator between the signal id and the sharing group.</summary>
    public const char GroupSeparator = '@';

    /// <summary>The record id of <paramref name="signalId"/> in <paramref name="sharingGroup"/> (empty = coalition-wide).</summary>
    public static string Of(string signalId, string? sharingGroup) =>
        string.IsNullOrEmpty(sharingGroup) ? signalId : string.Concat(signalId, "@", sharingGroup);
}
