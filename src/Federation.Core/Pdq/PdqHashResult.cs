namespace Federation.Core.Pdq;

/// <summary>A PDQ hash and its quality (0..100; the reference advises discarding hashes below 50).</summary>
public readonly record struct PdqHashResult(PdqHash Hash, int Quality);
