using Federation.Contracts.V1;
using Federation.Core.Signals;
using Federation.Hub.Domain;

namespace Federation.Hub.Services;

/// <summary>The contract's <see cref="SignalRef"/> as the domain takes it (null stays null: the domain says it is required).</summary>
public static class ReferenceMapping
{
    public static SignalReference? ToDomain(this SignalRef? reference) =>
        reference is null ? null : new SignalReference((SignalKind)reference.Type, reference.Value, reference.KeyId);
}
