using Federation.Core.Signals;
using Federation.Hub.Storage;

namespace Federation.Hub.Tests.Signals;

/// <summary>The stats hash's field names: one definition for C# and, through the generated prelude, for the Lua scripts.</summary>
public sealed class SignalStatFieldsTests
{
    private static readonly NormalizedSignal Sha256 = NormalizedSignal.FromRaw(SignalKind.Sha256, new byte[32]);

    [Fact]
    public void Coalition_wide_and_group_records_count_under_their_own_fields()
    {
        var coalitionWide = SignalStatFields.For(SignalStatFields.Active, SignalStorageKey.Create(Sha256, ""));
        var grouped = SignalStatFields.For(SignalStatFields.Created, SignalStorageKey.Create(Sha256, "fin-crime"));

        Assert.Equal("a4", coalitionWide);
        Assert.Equal("t4:fin-crime", grouped);
        Assert.True(SignalStatFields.TryParseCoalitionWide(coalitionWide, out var prefix, out var kind));
        Assert.Equal((SignalStatFields.Active, SignalKind.Sha256), (prefix, kind));
        Assert.False(SignalStatFields.TryParseCoalitionWide(grouped, out _, out _));
    }

    [Fact]
    public void The_lua_prelude_carries_every_kind_s_raw_length_from_the_signal_rules()
    {
        var lengths = string.Join(", ", Enumerable.Range(1, SignalRules.All.Max(i => (int)i.Kind))
            .Select(k => SignalRules.TryGet((SignalKind)k, out var info) ? info.RawLength : 0));

        Assert.Contains("local RAW = {" + lengths + "}", SignalStatFields.LuaPrelude, StringComparison.Ordinal);
        Assert.Contains("local function statfield(prefix, field)", SignalStatFields.LuaPrelude, StringComparison.Ordinal);
    }
}
