using Federation.Core.Pdq;
using SkiaSharp;

namespace Federation.Imaging;

/// <summary>
/// Decodes an image file with SkiaSharp and hashes it with <see cref="PdqHasher"/>.
/// </summary>
/// <remarks>
/// Decoding mirrors the reference's CImg loader: pixels are taken as stored (no EXIF rotation, no colour
/// management), greyscale images stay one channel (their grey value is the luminance), alpha is ignored.
/// Skia decodes JPEG with libjpeg-turbo, which is what <c>reference_hash_libjpeg_turbo</c> was built with.
/// </remarks>
public static class ImagePdqHasher
{
    /// <summary>Hashes the image file at <paramref name="path"/>.</summary>
    /// <exception cref="InvalidDataException">The file is not an image SkiaSharp can decode.</exception>
    public static PdqHashResult HashFile(string path)
    {
        using var stream = File.OpenRead(path);
        return Hash(stream);
    }

    /// <summary>Hashes the encoded image read from <paramref name="stream"/>.</summary>
    /// <exception cref="InvalidDataException">The data is not an image SkiaSharp can decode.</exception>
    public static PdqHashResult Hash(Stream stream)
    {
        var image = Decode(stream);
        return PdqHasher.Hash(image.Pixels, image.Width, image.Height, image.Stride, image.Format);
    }

    /// <summary>Hashes the image file at <paramref name="path"/> and its seven other rotations and flips.</summary>
    public static PdqDihedralHashes HashDihedralFile(string path)
    {
        using var stream = File.OpenRead(path);
        return HashDihedral(stream);
    }

    /// <summary>Hashes the encoded image read from <paramref name="stream"/> and its seven other rotations and flips.</summary>
    public static PdqDihedralHashes HashDihedral(Stream stream)
    {
        var image = Decode(stream);
        return PdqHasher.HashDihedral(image.Pixels, image.Width, image.Height, image.Stride, image.Format);
    }

    private static DecodedImage Decode(Stream stream)
    {
        ArgumentNullException.ThrowIfNull(stream);
        using var codec = SKCodec.Create(stream, out var result)
            ?? throw new InvalidDataException($"Not a decodable image ({result}).");

        var gray = codec.Info.ColorType == SKColorType.Gray8;
        var info = new SKImageInfo(
            codec.Info.Width,
            codec.Info.Height,
            gray ? SKColorType.Gray8 : SKColorType.Rgba8888,
            gray ? SKAlphaType.Opaque : SKAlphaType.Unpremul);
        var pixels = new byte[info.BytesSize64];
        var decoded = codec.GetPixels(info, pixels);
        if (decoded is not (SKCodecResult.Success or SKCodecResult.IncompleteInput))
        {
            throw new InvalidDataException($"The image could not be decoded ({decoded}).");
        }

        return new DecodedImage(pixels, info.Width, info.Height, info.RowBytes, gray ? PdqPixelFormat.Gray8 : PdqPixelFormat.Rgba32);
    }

    private readonly record struct DecodedImage(byte[] Pixels, int Width, int Height, int Stride, PdqPixelFormat Format);
}
