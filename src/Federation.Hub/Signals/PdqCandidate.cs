using Federation.Core.Signals;

namespace Federation.Hub.Signals;

/// <summary>A PDQ hash the index holds within the asked distance of a query hash.</summary>
public readonly record struct PdqCandidate(NormalizedSignal Signal, int Distance);
