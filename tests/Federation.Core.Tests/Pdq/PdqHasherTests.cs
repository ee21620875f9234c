using Federation.Core.Pdq;

namespace Federation.Core.Tests.Pdq;

public sealed class PdqHasherTests
{
    [Fact]
    public void Images_smaller_than_5_pixels_on_a_side_hash_to_zero_with_quality_zero()
    {
        var pixels = new byte[4 * 100 * 3];

        var result = PdqHasher.Hash(pixels, width: 100, height: 4, stride: 300, PdqPixelFormat.Rgb24);

        Assert.Equal(new PdqHashResult(PdqHash.Zero, 0), result);
    }

    [Fact]
    public void A_flat_image_has_quality_zero()
    {
        var pixels = Enumerable.Repeat((byte)128, 80 * 60 * 3).ToArray();

        var result = PdqHasher.Hash(pixels, 80, 60, 240, PdqPixelFormat.Rgb24);

        Assert.Equal(0, result.Quality);
    }

    [Fact]
    public void Rgb_rgba_and_bgra_layouts_of_the_same_pixels_hash_alike()
    {
        var (rgb, rgba, bgra) = Gradient(200, 150);

        var a = PdqHasher.Hash(rgb, 200, 150, 600, PdqPixelFormat.Rgb24);
        var b = PdqHasher.Hash(rgba, 200, 150, 800, PdqPixelFormat.Rgba32);
        var c = PdqHasher.Hash(bgra, 200, 150, 800, PdqPixelFormat.Bgra32);

        Assert.Equal(a, b);
        Assert.Equal(a, c);
        Assert.True(a.Quality > 50);
    }

    [Fact]
    public void Padding_at_the_end_of_each_row_is_ignored()
    {
        var (rgb, _, _) = Gradient(120, 90);
        var padded = new byte[(360 + 8) * 90];
        for (var y = 0; y < 90; y++)
        {
            rgb.AsSpan(y * 360, 360).CopyTo(padded.AsSpan(y * 368));
        }

        var expected = PdqHasher.Hash(rgb, 120, 90, 360, PdqPixelFormat.Rgb24);
        var actual = PdqHasher.Hash(padded, 120, 90, 368, PdqPixelFormat.Rgb24);

        Assert.Equal(expected, actual);
    }

    [Fact]
    public void Dihedral_original_equals_the_plain_hash_and_the_180_rotation_matches_the_rotated_image()
    {
        var rgb = Smooth(160, 120);
        var rotated = new byte[rgb.Length];
        for (var y = 0; y < 120; y++)
        {
            for (var x = 0; x < 160; x++)
            {
                rgb.AsSpan(((y * 160) + x) * 3, 3).CopyTo(rotated.AsSpan((((119 - y) * 160) + (159 - x)) * 3));
            }
        }

        var plain = PdqHasher.Hash(rgb, 160, 120, 480, PdqPixelFormat.Rgb24);
        var dihedral = PdqHasher.HashDihedral(rgb, 160, 120, 480, PdqPixelFormat.Rgb24);
        var ofRotated = PdqHasher.Hash(rotated, 160, 120, 480, PdqPixelFormat.Rgb24);

        Assert.Equal(plain.Hash, dihedral.Original);
        Assert.Equal(plain.Quality, dihedral.Quality);
        var distance = dihedral.Rotate180.Distance(ofRotated.Hash);
        Assert.True(distance <= 31, $"distance {distance}");
    }

    [Fact]
    public void A_buffer_too_short_for_the_stated_size_is_rejected()
    {
        Assert.Throws<ArgumentException>(() => PdqHasher.Hash(new byte[100], 10, 10, 30, PdqPixelFormat.Rgb24));
        Assert.Throws<ArgumentOutOfRangeException>(() => PdqHasher.Hash(new byte[300], 10, 10, 20, PdqPixelFormat.Rgb24));
    }

    private static byte[] Smooth(int width, int height)
    {
        var rgb = new byte[width * height * 3];
        for (var y = 0; y < height; y++)
        {
            for (var x = 0; x < width; x++)
            {
                var value = (byte)(128 + (100 * Math.Sin((x / 13.0) + (y / 29.0)) * Math.Cos(y / 17.0)));
                var i = ((y * width) + x) * 3;
                (rgb[i], rgb[i + 1], rgb[i + 2]) = (value, (byte)(255 - value), (byte)(x + y));
            }
        }

        return rgb;
    }

    private static (byte[] Rgb, byte[] Rgba, byte[] Bgra) Gradient(int width, int height)
    {
        var rgb = new byte[width * height * 3];
        var rgba = new byte[width * height * 4];
        var bgra = new byte[width * height * 4];
        for (var y = 0; y < height; y++)
        {
            for (var x = 0; x < width; x++)
            {
                var r = (byte)((x * 255 / width) ^ (y * 7));
                var g = (byte)(y * 255 / height);
                var b = (byte)(((x / 9) + (y / 13)) % 2 * 200);
                var i = (y * width) + x;
                (rgb[i * 3], rgb[(i * 3) + 1], rgb[(i * 3) + 2]) = (r, g, b);
                (rgba[i * 4], rgba[(i * 4) + 1], rgba[(i * 4) + 2], rgba[(i * 4) + 3]) = (r, g, b, 255);
                (bgra[i * 4], bgra[(i * 4) + 1], bgra[(i * 4) + 2], bgra[(i * 4) + 3]) = (b, g, r, 255);
            }
        }

        return (rgb, rgba, bgra);
    }
}
