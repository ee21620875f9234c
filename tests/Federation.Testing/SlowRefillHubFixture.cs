namespace Federation.Hub.Tests.Infrastructure;

/// <summary>
/// A hub whose token request limits keep their default bursts but regain an attempt only once an hour, so throttling
/// tests count exactly, however slowly the machine runs them.
/// </summary>
public sealed class SlowRefillHubFixture : HubFixture
{
    protected override IDictionary<string, string?>? Settings => new Dictionary<string, string?>
    {
        ["Federation:Tokens:Throttle:ClientInterval"] = "01:00:00",
        ["Federation:Tokens:Throttle:SourceClientInterval"] = "01:00:00",
        ["Federation:Tokens:Throttle:SourceInterval"] = "01:00:00",
    };
}
