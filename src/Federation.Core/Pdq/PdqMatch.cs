namespace Federation.Core.Pdq;

/// <summary>One near-match: the caller's id of the indexed hash and its Hamming distance to the query.</summary>
public readonly record struct PdqMatch<TId>(TId Id, int Distance);
