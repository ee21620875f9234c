using System.Buffers;

namespace Federation.Core.Pdq;

/// <summary>
/// Computes PDQ hashes from decoded pixels: a step-by-step <c>float</c> port of the reference
/// pdq/cpp/hashing/pdqhashing.cpp and pdq/cpp/downscaling/downscaling.cpp, including the pre-scaling of
/// pdq/cpp/io/pdqio.cpp (an image larger than 512 px on either side is first resized to 512x512 with
/// CImg's default nearest-neighbour <c>resize</c>, aspect ratio not kept).
/// </summary>
/// <remarks>
/// The arithmetic order, the float/double mix and the integer truncations follow the reference exactly,
/// because a single flipped comparison against the median flips a hash bit. Thread-safe: no shared state.
/// </remarks>
public static class PdqHasher
{
    /// <summary>Images larger than this on either side are pre-scaled to this square (pdqio.cpp).</summary>
    public const int DownsampleDimension = 512;

    /// <summary>Images smaller than this on either side hash to zero with quality 0.</summary>
    public const int MinHashableDimension = 5;

    private const float LumaFromR = 0.299f;
    private const float LumaFromG = 0.587f;
    private const float LumaFromB = 0.114f;
    private const int JaroszPasses = 2;

    // 16 x 64, row-major: the rows 1..16 of the 64-point DCT-II matrix.
    private static readonly float[] DctMatrix = BuildDctMatrix();

    /// <summary>Hashes one image.</summary>
    /// <remarks>
    /// <c>pixels</c> holds the top row first; each row starts <c>stride</c> bytes after the previous one and
    /// holds <c>width</c> pixels laid out as <c>format</c> says.
    /// </remarks>
    public static PdqHashResult Hash(ReadOnlySpan<byte> pixels, int width, int height, int stride, PdqPixelFormat format) =>
        HashLuma(pixels, width, height, stride, format, prescale: true);

    /// <summary>Hashes one video frame at its full size, as vPDQ does (vpdq/cpp pdqbufferhasher.cpp).</summary>
    /// <remarks>
    /// The same as <see cref="Hash"/> but without the photo path's 512x512 pre-scaling: vPDQ runs
    /// <c>pdqHash256FromFloatLuma</c> straight on the decoded frame's luma. Same pixel layout as <see cref="Hash"/>.
    /// </remarks>
    public static PdqHashResult HashFrame(ReadOnlySpan<byte> pixels, int width, int height, int stride, PdqPixelFormat format) =>
        HashLuma(pixels, width, height, stride, format, prescale: false);

    private static PdqHashResult HashLuma(ReadOnlySpan<byte> pixels, int width, int height, int stride, PdqPixelFormat format, bool prescale)
    {
        var (luma, numRows, numCols) = LoadLuma(pixels, width, height, stride, format, prescale);
        try
        {
            if (numRows < MinHashableDimension || numCols < MinHashableDimension)
            {
                return new PdqHashResult(PdqHash.Zero, 0);
            }

            Span<float> buffer64x64 = stackalloc float[64 * 64];
            Span<float> buffer16x16 = stackalloc float[16 * 16];
            if (numRows == 64 && numCols == 64)
            {
                // As the reference: an already 64x64 input (e.g. a video frame) is not blurred.
                luma.AsSpan(0, 64 * 64).CopyTo(buffer64x64);
            }
            else
            {
                BlurAndDecimate(luma, numRows, numCols, buffer64x64);
            }

            var quality = ImageDomainQualityMetric(buffer64x64);
            Dct64To16(buffer64x64, buffer16x16);
            return new PdqHashResult(ToBits(buffer16x16), quality);
        }
        finally
        {
            ArrayPool<float>.Shared.Return(luma);
        }
    }

    /// <summary>Hashes one image and its seven other dihedral transforms (rotations and flips).</summary>
    /// <remarks>Same pixel layout as <see cref="Hash"/>.</remarks>
    public static PdqDihedralHashes HashDihedral(ReadOnlySpan<byte> pixels, int width, int height, int stride, PdqPixelFormat format)
    {
        var (luma, numRows, numCols) = LoadLuma(pixels, width, height, stride, format, prescale: true);
        try
        {
            if (numRows < MinHashableDimension || numCols < MinHashableDimension)
            {
                var zero = PdqHash.Zero;
                return new PdqDihedralHashes(zero, zero, zero, zero, zero, zero, zero, zero, 0);
            }

            Span<float> buffer64x64 = stackalloc float[64 * 64];
            Span<float> dct = stackalloc float[16 * 16];
            Span<float> aux = stackalloc float[16 * 16];

            // Unlike Hash, the reference dihedral path always blurs, even a 64x64 input.
            BlurAndDecimate(luma, numRows, numCols, buffer64x64);
            var quality = ImageDomainQualityMetric(buffer64x64);
            Dct64To16(buffer64x64, dct);

            var original = ToBits(dct);
            Transform(dct, aux, transpose: true, static (i, j) => (j & 1) == 0);
            var rotate90 = ToBits(aux);
            Transform(dct, aux, transpose: false, static (i, j) => ((i + j) & 1) != 0);
            var rotate180 = ToBits(aux);
            Transform(dct, aux, transpose: true, static (i, j) => (i & 1) == 0);
            var rotate270 = ToBits(aux);
            Transform(dct, aux, transpose: false, static (i, j) => (i & 1) == 0);
            var flipX = ToBits(aux);
            Transform(dct, aux, transpose: false, static (i, j) => (j & 1) == 0);
            var flipY = ToBits(aux);
            Transform(dct, aux, transpose: true, static (i, j) => false);
            var flipPlus1 = ToBits(aux);
            Transform(dct, aux, transpose: true, static (i, j) => ((i + j) & 1) != 0);
            var flipMinus1 = ToBits(aux);

            return new PdqDihedralHashes(original, rotate90, rotate180, rotate270, flipX, flipY, flipPlus1, flipMinus1, quality);
        }
        finally
        {
            ArrayPool<float>.Shared.Return(luma);
        }
    }

    // B[i][j] (or B[j][i] when transposed) = +-A[i][j]; the sign pattern is the reference's
    // dct16OriginalToXxx: these transforms of the DCT equal the DCT of the transformed image.
    private static void Transform(ReadOnlySpan<float> a, Span<float> b, bool transpose, Func<int, int, bool> negate)
    {
        for (var i = 0; i < 16; i++)
        {
            for (var j = 0; j < 16; j++)
            {
                var value = negate(i, j) ? -a[(i * 16) + j] : a[(i * 16) + j];
                b[transpose ? (j * 16) + i : (i * 16) + j] = value;
            }
        }
    }

    // Luma as numRows x numCols row-major, from a rented array the caller returns. Pre-scales like pdqio.cpp
    // when asked (photos), never for video frames.
    private static (float[] Luma, int NumRows, int NumCols) LoadLuma(
        ReadOnlySpan<byte> pixels, int width, int height, int stride, PdqPixelFormat format, bool prescale)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(width);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(height);
        var bytesPerPixel = format switch
        {
            PdqPixelFormat.Rgb24 => 3,
            PdqPixelFormat.Rgba32 or PdqPixelFormat.Bgra32 => 4,
            PdqPixelFormat.Gray8 => 1,
            _ => throw new ArgumentOutOfRangeException(nameof(format), format, "Unknown pixel format."),
        };
        if (stride < width * bytesPerPixel)
        {
            throw new ArgumentOutOfRangeException(nameof(stride), stride, $"The stride must be at least width x {bytesPerPixel} = {width * bytesPerPixel} bytes.");
        }

        if (pixels.Length < ((long)stride * (height - 1)) + ((long)width * bytesPerPixel))
        {
            throw new ArgumentException($"A {width}x{height} image with stride {stride} needs at least {((long)stride * (height - 1)) + ((long)width * bytesPerPixel)} bytes; got {pixels.Length}.", nameof(pixels));
        }

        var scale = prescale && (width > DownsampleDimension || height > DownsampleDimension);
        var numCols = scale ? DownsampleDimension : width;
        var numRows = scale ? DownsampleDimension : height;

        var luma = ArrayPool<float>.Shared.Rent(numRows * numCols);
        Span<int> sourceColumns = stackalloc int[numCols];
        for (var x = 0; x < numCols; x++)
        {
            sourceColumns[x] = scale ? NearestSource(x, width, numCols) * bytesPerPixel : x * bytesPerPixel;
        }

        var (r, g, b) = format == PdqPixelFormat.Bgra32 ? (2, 1, 0) : (0, 1, 2);
        for (var y = 0; y < numRows; y++)
        {
            var sourceRow = pixels.Slice((scale ? NearestSource(y, height, numRows) : y) * stride);
            var output = luma.AsSpan(y * numCols, numCols);
            if (format == PdqPixelFormat.Gray8)
            {
                for (var x = 0; x < numCols; x++)
                {
                    output[x] = sourceRow[sourceColumns[x]];
                }
            }
            else
            {
                for (var x = 0; x < numCols; x++)
                {
                    var p = sourceColumns[x];
                    output[x] = (LumaFromR * sourceRow[p + r]) + (LumaFromG * sourceRow[p + g]) + (LumaFromB * sourceRow[p + b]);
                }
            }
        }

        return (luma, numRows, numCols);
    }

    // CImg resize, interpolation 1 (nearest neighbour): the source offset advances by
    // (ulong)((x + 1.0) * old / new) - previous, so output x reads source (ulong)(x * (double)old / new).
    private static int NearestSource(int index, int oldSize, int newSize) =>
        oldSize == newSize ? index : (int)(ulong)(index * (double)oldSize / newSize);

    private static void BlurAndDecimate(float[] buffer1, int numRows, int numCols, Span<float> buffer64x64)
    {
        var buffer2 = ArrayPool<float>.Shared.Rent(numRows * numCols);
        try
        {
            var windowAlongRows = JaroszWindowSize(numCols, 64);
            var windowAlongCols = JaroszWindowSize(numRows, 64);
            for (var pass = 0; pass < JaroszPasses; pass++)
            {
                for (var i = 0; i < numRows; i++)
                {
                    Box1D(buffer1, buffer2, i * numCols, numCols, 1, windowAlongRows);
                }

                Box1DColumns(buffer2, buffer1, numRows, numCols, windowAlongCols);
            }

            Decimate(buffer1, numRows, numCols, buffer64x64);
        }
        finally
        {
            ArrayPool<float>.Shared.Return(buffer2);
        }
    }

    // Half the block size per pass: two passes of a box filter make a tent over the whole block.
    private static int JaroszWindowSize(int oldDimension, int newDimension) =>
        (oldDimension + (2 * newDimension) - 1) / (2 * newDimension);

    private static void Box1D(float[] input, float[] output, int start, int length, int stride, int fullWindowSize)
    {
        var halfWindowSize = (fullWindowSize + 2) / 2;
        var phase1 = halfWindowSize - 1;
        var phase2 = fullWindowSize - halfWindowSize + 1;
        var phase3 = length - fullWindowSize;
        var phase4 = halfWindowSize - 1;

        var li = start;
        var ri = start;
        var oi = start;
        var sum = 0.0f;
        var currentWindowSize = 0;

        for (var i = 0; i < phase1; i++)
        {
            sum += input[ri];
            currentWindowSize++;
            ri += stride;
        }

        for (var i = 0; i < phase2; i++)
        {
            sum += input[ri];
            currentWindowSize++;
            output[oi] = sum / currentWindowSize;
            ri += stride;
            oi += stride;
        }

        for (var i = 0; i < phase3; i++)
        {
            sum += input[ri];
            sum -= input[li];
            output[oi] = sum / currentWindowSize;
            li += stride;
            ri += stride;
            oi += stride;
        }

        for (var i = 0; i < phase4; i++)
        {
            sum -= input[li];
            currentWindowSize--;
            output[oi] = sum / currentWindowSize;
            li += stride;
            oi += stride;
        }
    }

    // Box1D down every column at once, row by row: each column gets exactly Box1D's float operations in Box1D's order
    // (so the result is bit-identical), but memory is read along rows instead of with a stride of one row.
    private static void Box1DColumns(float[] input, float[] output, int numRows, int numCols, int fullWindowSize)
    {
        var halfWindowSize = (fullWindowSize + 2) / 2;
        var phase1 = halfWindowSize - 1;
        var phase2 = fullWindowSize - halfWindowSize + 1;
        var phase3 = numRows - fullWindowSize;
        var phase4 = halfWindowSize - 1;
        var sums = ArrayPool<float>.Shared.Rent(numCols);
        try
        {
            var sum = sums.AsSpan(0, numCols);
            sum.Clear();
            var ri = 0;
            var li = 0;
            var oi = 0;
            var currentWindowSize = 0;
            for (var i = 0; i < phase1; i++, ri++)
            {
                var row = input.AsSpan(ri * numCols, numCols);
                for (var j = 0; j < sum.Length; j++)
                {
                    sum[j] += row[j];
                }

                currentWindowSize++;
            }

            for (var i = 0; i < phase2; i++, ri++, oi++)
            {
                var row = input.AsSpan(ri * numCols, numCols);
                var result = output.AsSpan(oi * numCols, numCols);
                currentWindowSize++;
                for (var j = 0; j < sum.Length; j++)
                {
                    sum[j] += row[j];
                    result[j] = sum[j] / currentWindowSize;
                }
            }

            for (var i = 0; i < phase3; i++, ri++, li++, oi++)
            {
                var right = input.AsSpan(ri * numCols, numCols);
                var left = input.AsSpan(li * numCols, numCols);
                var result = output.AsSpan(oi * numCols, numCols);
                for (var j = 0; j < sum.Length; j++)
                {
                    sum[j] += right[j];
                    sum[j] -= left[j];
                    result[j] = sum[j] / currentWindowSize;
                }
            }

            for (var i = 0; i < phase4; i++, li++, oi++)
            {
                var left = input.AsSpan(li * numCols, numCols);
                var result = output.AsSpan(oi * numCols, numCols);
                currentWindowSize--;
                for (var j = 0; j < sum.Length; j++)
                {
                    sum[j] -= left[j];
                    result[j] = sum[j] / currentWindowSize;
                }
            }
        }
        finally
        {
            ArrayPool<float>.Shared.Return(sums);
        }
    }

    // Samples the centres of the target cells, not their corners.
    private static void Decimate(float[] input, int inRows, int inCols, Span<float> output)
    {
        for (var outI = 0; outI < 64; outI++)
        {
            var inI = (int)((outI + 0.5) * inRows / 64);
            for (var outJ = 0; outJ < 64; outJ++)
            {
                var inJ = (int)((outJ + 0.5) * inCols / 64);
                output[(outI * 64) + outJ] = input[(inI * inCols) + inJ];
            }
        }
    }

    // Heuristic from the reference: counts significant (quantized) gradients.
    private static int ImageDomainQualityMetric(ReadOnlySpan<float> buffer64x64)
    {
        var gradientSum = 0;
        for (var i = 0; i < 63; i++)
        {
            for (var j = 0; j < 64; j++)
            {
                var u = buffer64x64[(i * 64) + j];
                var v = buffer64x64[((i + 1) * 64) + j];
                var d = (int)((u - v) * 100 / 255);
                gradientSum += Math.Abs(d);
            }
        }

        for (var i = 0; i < 64; i++)
        {
            for (var j = 0; j < 63; j++)
            {
                var u = buffer64x64[(i * 64) + j];
                var v = buffer64x64[(i * 64) + j + 1];
                var d = (int)((u - v) * 100 / 255);
                gradientSum += Math.Abs(d);
            }
        }

        return Math.Min(gradientSum / 90, 100);
    }

    // B = D A Dt, only the 16x16 low-frequency block (skipping DC). Sums run in the reference's order.
    private static void Dct64To16(ReadOnlySpan<float> a, Span<float> b)
    {
        Span<float> t = stackalloc float[16 * 64];
        var d = DctMatrix;
        for (var i = 0; i < 16; i++)
        {
            var row = d.AsSpan(i * 64, 64);
            for (var j = 0; j < 64; j++)
            {
                var sum = 0.0f;
                for (var k = 0; k < 64; k++)
                {
                    sum += row[k] * a[(k * 64) + j];
                }

                t[(i * 64) + j] = sum;
            }
        }

        for (var i = 0; i < 16; i++)
        {
            var tRow = t.Slice(i * 64, 64);
            for (var j = 0; j < 16; j++)
            {
                var row = d.AsSpan(j * 64, 64);
                var sum = 0.0f;
                for (var k = 0; k < 64; k++)
                {
                    sum += tRow[k] * row[k];
                }

                b[(i * 16) + j] = sum;
            }
        }
    }

    // Each bit says whether its frequency component is above the median component.
    private static PdqHash ToBits(ReadOnlySpan<float> dct16x16)
    {
        var median = Torben(dct16x16);
        Span<ulong> words = stackalloc ulong[4];
        for (var k = 0; k < 256; k++)
        {
            if (dct16x16[k] > median)
            {
                words[3 - (k >> 6)] |= 1UL << (k & 63);
            }
        }

        return new PdqHash(words[0], words[1], words[2], words[3]);
    }

    // Torben Mogensen's median (public domain, N. Devillard's implementation), as the reference uses.
    private static float Torben(ReadOnlySpan<float> m)
    {
        var n = m.Length;
        float min = m[0], max = m[0];
        for (var i = 1; i < n; i++)
        {
            if (m[i] < min)
            {
                min = m[i];
            }

            if (m[i] > max)
            {
                max = m[i];
            }
        }

        int less, greater, equal;
        float guess, maxLtGuess, minGtGuess;
        while (true)
        {
            guess = (min + max) / 2;
            less = 0;
            greater = 0;
            equal = 0;
            maxLtGuess = min;
            minGtGuess = max;
            for (var i = 0; i < n; i++)
            {
                if (m[i] < guess)
                {
                    less++;
                    if (m[i] > maxLtGuess)
                    {
                        maxLtGuess = m[i];
                    }
                }
                else if (m[i] > guess)
                {
                    greater++;
                    if (m[i] < minGtGuess)
                    {
                        minGtGuess = m[i];
                    }
                }
                else
                {
                    equal++;
                }
            }

            if (less <= (n + 1) / 2 && greater <= (n + 1) / 2)
            {
                break;
            }
            else if (less > greater)
            {
                max = maxLtGuess;
            }
            else
            {
                min = minGtGuess;
            }
        }

        if (less >= (n + 1) / 2)
        {
            return maxLtGuess;
        }

        return less + equal >= (n + 1) / 2 ? guess : minGtGuess;
    }

    private static float[] BuildDctMatrix()
    {
        var matrix = new float[16 * 64];
        var scale = (float)Math.Sqrt(2.0 / 64.0);
        for (var i = 0; i < 16; i++)
        {
            for (var j = 0; j < 64; j++)
            {
                matrix[(i * 64) + j] = (float)(scale * Math.Cos(Math.PI / 2.0 / 64.0 * (i + 1) * ((2 * j) + 1)));
            }
        }

        return matrix;
    }
}
