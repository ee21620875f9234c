namespace Federation.Core.Pdq;

/// <summary>
/// The hashes of the eight dihedral transforms of one image (rotations and flips), computed from one
/// DCT as the reference <c>pdqDihedralHash256esFromFloatLuma</c> does, and the image's quality.
/// </summary>
public sealed record PdqDihedralHashes(
    PdqHash Original,
    PdqHash Rotate90,
    PdqHash Rotate180,
    PdqHash Rotate270,
    PdqHash FlipX,
    PdqHash FlipY,
    PdqHash FlipPlus1,
    PdqHash FlipMinus1,
    int Quality)
{
    /// <summary>The eight hashes in the order of the constructor.</summary>
    public IReadOnlyList<PdqHash> All =>
        [Original, Rotate90, Rotate180, Rotate270, FlipX, FlipY, FlipPlus1, FlipMinus1];
}
