namespace Federation.Core.Pdq;

/// <summary>Layout of one pixel in the buffer given to <see cref="PdqHasher"/>.</summary>
public enum PdqPixelFormat
{
    /// <summary>3 bytes: R, G, B.</summary>
    Rgb24,

    /// <summary>4 bytes: R, G, B, A (alpha ignored).</summary>
    Rgba32,

    /// <summary>4 bytes: B, G, R, A (alpha ignored).</summary>
    Bgra32,

    /// <summary>1 byte of grey, used as luminance directly (as the reference does for 1-channel images).</summary>
    Gray8,
}
