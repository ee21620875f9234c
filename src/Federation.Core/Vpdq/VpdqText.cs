using System.Globalization;
using System.Text;
using Federation.Core.Pdq;

namespace Federation.Core.Vpdq;

/// <summary>
/// The reference vPDQ text format (vpdq/cpp io/vpdqio.cpp): one line per hashed frame,
/// <c>frameNumber,quality,pdqHash,timestamp</c>, the timestamp with exactly 3 decimals, <c>\n</c> line ends.
/// </summary>
public static class VpdqText
{
    /// <summary>One frame as the reference prints it (no line end).</summary>
    public static string FormatLine(in VpdqFrame frame) =>
        string.Create(
            CultureInfo.InvariantCulture,
            $"{frame.FrameNumber},{frame.Quality},{frame.Hash},{(double)frame.Timestamp:F3}");

    /// <summary>Every frame, one line each, each ending in <c>\n</c>.</summary>
    public static string Format(IEnumerable<VpdqFrame> frames)
    {
        ArgumentNullException.ThrowIfNull(frames);
        var text = new StringBuilder();
        foreach (var frame in frames)
        {
            text.Append(FormatLine(frame)).Append('\n');
        }

        return text.ToString();
    }

    /// <summary>Parses the reference text format; blank lines are ignored.</summary>
    /// <exception cref="FormatException">A line is not <c>frameNumber,quality,pdqHash,timestamp</c>.</exception>
    public static IReadOnlyList<VpdqFrame> Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var frames = new List<VpdqFrame>();
        var lineNumber = 0;
        foreach (var rawLine in text.Split('\n'))
        {
            lineNumber++;
            var line = rawLine.TrimEnd('\r');
            if (line.Length == 0)
            {
                continue;
            }

            var parts = line.Split(',');
            if (parts.Length != 4
                || !int.TryParse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture, out var frameNumber)
                || !int.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out var quality)
                || quality > 100
                || !PdqHash.TryParse(parts[2], out var hash)
                || !float.TryParse(parts[3], NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var timestamp))
            {
                throw new FormatException($"Line {lineNumber} is not 'frameNumber,quality,pdqHash,timestamp' (e.g. '0,100,<64 hex>,0.000').");
            }

            frames.Add(new VpdqFrame(frameNumber, hash, quality, timestamp));
        }

        return frames;
    }
}
