using System.Buffers;
using System.ComponentModel;
using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using System.Threading.Channels;
using Federation.Core.Pdq;
using Federation.Core.Vpdq;

namespace Federation.Imaging;

/// <summary>
/// Computes the vPDQ of a local video file as facebook/ThreatExchange's reference <c>vpdq-hash-video</c>
/// does: every frame the decoder outputs (or every n-th, see <see cref="VpdqHashOptions.SecondsPerHash"/>),
/// converted to RGB24 at full size by libswscale (area flags, BT.601, range from the pixel format), hashed
/// with <see cref="PdqHasher.HashFrame"/>.
/// </summary>
/// <remarks>
/// Decoding runs in the <c>ffmpeg</c> program, which pipes raw RGB24 frames to this process (see
/// docs/decisions.md for why a child process rather than a binding); the file never leaves the machine.
/// </remarks>
public static class VideoVpdqHasher
{
    /// <summary>Hashes the video file at <paramref name="path"/>.</summary>
    /// <exception cref="FileNotFoundException">There is no such file.</exception>
    /// <exception cref="InvalidDataException">The file has no decodable video stream.</exception>
    /// <exception cref="InvalidOperationException"><c>ffmpeg</c>/<c>ffprobe</c> are not installed.</exception>
    public static async Task<VpdqVideoHash> HashFileAsync(
        string path,
        VpdqHashOptions? options = null,
        IProgress<VideoHashProgress>? progress = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(path);
        options ??= new VpdqHashOptions();
        if (!File.Exists(path))
        {
            throw new FileNotFoundException($"No such video file: {path}", path);
        }

        var stream = await ProbeAsync(path, options, cancellationToken).ConfigureAwait(false);
        var frameStep = Math.Max(1, (int)(options.SecondsPerHash * stream.FramesPerSecond));
        var threads = options.HashingThreads > 0 ? options.HashingThreads : Environment.ProcessorCount;
        var frameBytes = checked(stream.Width * stream.Height * 3);

        using var ffmpeg = Start(options.FfmpegPath, DecodeArguments(path, options));
        var stderr = ffmpeg.StandardError.ReadToEndAsync(cancellationToken);
        var results = new List<VpdqFrame>();
        var decoded = 0;
        try
        {
            var pipe = ffmpeg.StandardOutput.BaseStream;
            var hashing = new FrameHashingPool(threads, stream, results);
            try
            {
                while (true)
                {
                    var buffer = ArrayPool<byte>.Shared.Rent(frameBytes);
                    var read = await pipe.ReadAtLeastAsync(buffer.AsMemory(0, frameBytes), frameBytes, throwOnEndOfStream: false, cancellationToken).ConfigureAwait(false);
                    if (read < frameBytes)
                    {
                        ArrayPool<byte>.Shared.Return(buffer);
                        if (read != 0)
                        {
                            throw new InvalidDataException($"ffmpeg ended in the middle of frame {decoded} ({read} of {frameBytes} bytes).");
                        }

                        break;
                    }

                    var frameNumber = decoded++;
                    if (frameNumber % frameStep == 0)
                    {
                        await hashing.AddAsync(frameNumber, buffer, cancellationToken).ConfigureAwait(false);
                    }
                    else
                    {
                        ArrayPool<byte>.Shared.Return(buffer);
                    }

                    if (progress is not null && (decoded % 25 == 0))
                    {
                        progress.Report(new VideoHashProgress(decoded, hashing.Hashed, TimeSpan.FromSeconds(decoded / stream.FramesPerSecond), stream.Duration));
                    }
                }
            }
            finally
            {
                await hashing.CompleteAsync().ConfigureAwait(false);
            }

            await ffmpeg.WaitForExitAsync(cancellationToken).ConfigureAwait(false);
            var errors = await stderr.ConfigureAwait(false);
            if (ffmpeg.ExitCode != 0)
            {
                throw new InvalidDataException($"ffmpeg could not decode {Path.GetFileName(path)}: {LastLine(errors)}");
            }
        }
        finally
        {
            if (!ffmpeg.HasExited)
            {
                ffmpeg.Kill();
            }
        }

        results.Sort(static (a, b) => a.FrameNumber.CompareTo(b.FrameNumber));
        progress?.Report(new VideoHashProgress(decoded, results.Count, TimeSpan.FromSeconds(decoded / stream.FramesPerSecond), stream.Duration));
        return new VpdqVideoHash(results, stream.FramesPerSecond, stream.Width, stream.Height, decoded);
    }

    // The reference's pipeline, as ffmpeg options: the first video stream, every frame the decoder outputs
    // in output order (passthrough: no frame-rate conversion drops or duplicates any), converted to packed
    // RGB24 at the same size with SWS_AREA. in_color_matrix=bt601 pins libswscale's default matrix, which
    // the reference uses whatever the stream's colour tags say (ffmpeg's scale filter would otherwise follow
    // the tags); the range stays the pixel format's / the frame's, as in the reference.
    private static List<string> DecodeArguments(string path, VpdqHashOptions options)
    {
        var arguments = new List<string> { "-nostdin", "-hide_banner", "-loglevel", "error" };
        if (options.DecodingThreads > 0)
        {
            arguments.AddRange(["-threads", options.DecodingThreads.ToString(CultureInfo.InvariantCulture)]);
        }

        arguments.AddRange([
            "-i", path,
            "-map", "0:v:0", "-an", "-sn", "-dn",
            "-fps_mode", "passthrough",
            "-vf", "scale=flags=area:in_color_matrix=bt601",
            "-pix_fmt", "rgb24",
            "-f", "rawvideo", "pipe:1",
        ]);
        if (options.DecodingThreads > 0)
        {
            // Filter threads too, so that "one core" means one.
            arguments.InsertRange(arguments.Count - 1, ["-filter_threads", "1"]);
        }

        return arguments;
    }

    private static async Task<ProbedStream> ProbeAsync(string path, VpdqHashOptions options, CancellationToken cancellationToken)
    {
        using var ffprobe = Start(options.FfprobePath, [
            "-v", "error", "-select_streams", "v:0",
            "-show_entries", "stream=width,height,avg_frame_rate,r_frame_rate:format=duration",
            "-of", "json", path,
        ]);
        var stderr = ffprobe.StandardError.ReadToEndAsync(cancellationToken);
        var json = await ffprobe.StandardOutput.ReadToEndAsync(cancellationToken).ConfigureAwait(false);
        await ffprobe.WaitForExitAsync(cancellationToken).ConfigureAwait(false);
        var errors = await stderr.ConfigureAwait(false);
        if (ffprobe.ExitCode != 0)
        {
            throw new InvalidDataException($"ffprobe could not read {Path.GetFileName(path)}: {LastLine(errors)}");
        }

        using var document = JsonDocument.Parse(json);
        if (!document.RootElement.TryGetProperty("streams", out var streams) || streams.GetArrayLength() == 0)
        {
            throw new InvalidDataException($"{Path.GetFileName(path)} has no video stream.");
        }

        var video = streams[0];
        var width = video.TryGetProperty("width", out var w) ? w.GetInt32() : 0;
        var height = video.TryGetProperty("height", out var h) ? h.GetInt32() : 0;
        if (width <= 0 || height <= 0)
        {
            throw new InvalidDataException($"{Path.GetFileName(path)}: the video stream states no frame size.");
        }

        // As the reference: avg_frame_rate, or r_frame_rate when that is 0/0.
        var fps = Rational(video, "avg_frame_rate") ?? Rational(video, "r_frame_rate")
            ?? throw new InvalidDataException($"{Path.GetFileName(path)}: the video stream states no frame rate.");

        TimeSpan? duration = null;
        if (document.RootElement.TryGetProperty("format", out var format)
            && format.TryGetProperty("duration", out var d)
            && double.TryParse(d.GetString(), NumberStyles.Float, CultureInfo.InvariantCulture, out var seconds))
        {
            duration = TimeSpan.FromSeconds(seconds);
        }

        return new ProbedStream(width, height, fps, duration);
    }

    private static double? Rational(JsonElement stream, string name)
    {
        if (!stream.TryGetProperty(name, out var value) || value.GetString() is not { } text)
        {
            return null;
        }

        var slash = text.IndexOf('/', StringComparison.Ordinal);
        if (slash < 0
            || !long.TryParse(text.AsSpan(0, slash), NumberStyles.Integer, CultureInfo.InvariantCulture, out var num)
            || !long.TryParse(text.AsSpan(slash + 1), NumberStyles.Integer, CultureInfo.InvariantCulture, out var den)
            || num == 0 || den == 0)
        {
            return null;
        }

        return (double)num / den;
    }

    private static Process Start(string program, IEnumerable<string> arguments)
    {
        var info = new ProcessStartInfo(program)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in arguments)
        {
            info.ArgumentList.Add(argument);
        }

        try
        {
            return Process.Start(info) ?? throw new InvalidOperationException($"Could not start {program}.");
        }
        catch (Win32Exception e)
        {
            throw new InvalidOperationException(
                $"Could not run '{program}' ({e.Message}): vPDQ decodes video with FFmpeg; install it (scripts/ensure-ffmpeg.sh, or 'apt-get install ffmpeg').", e);
        }
    }

    private static string LastLine(string text)
    {
        var lines = text.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        return lines.Length == 0 ? "no message" : lines[^1];
    }

    private readonly record struct ProbedStream(int Width, int Height, double FramesPerSecond, TimeSpan? Duration);

    // Hashes frames on a fixed number of threads; with one thread, on the caller's.
    private sealed class FrameHashingPool
    {
        private readonly ProbedStream _stream;
        private readonly List<VpdqFrame> _results;
        private readonly Channel<(int FrameNumber, byte[] Pixels)>? _queue;
        private readonly Task[] _workers;
        private int _hashed;

        public FrameHashingPool(int threads, ProbedStream stream, List<VpdqFrame> results)
        {
            _stream = stream;
            _results = results;
            if (threads <= 1)
            {
                _workers = [];
                return;
            }

            _queue = Channel.CreateBounded<(int, byte[])>(new BoundedChannelOptions(threads * 2) { SingleWriter = true });
            _workers = new Task[threads];
            for (var i = 0; i < threads; i++)
            {
                _workers[i] = Task.Run(WorkAsync);
            }
        }

        public int Hashed => Volatile.Read(ref _hashed);

        public ValueTask AddAsync(int frameNumber, byte[] pixels, CancellationToken cancellationToken)
        {
            if (_queue is null)
            {
                HashOne(frameNumber, pixels);
                return ValueTask.CompletedTask;
            }

            return _queue.Writer.WriteAsync((frameNumber, pixels), cancellationToken);
        }

        public async Task CompleteAsync()
        {
            _queue?.Writer.TryComplete();
            await Task.WhenAll(_workers).ConfigureAwait(false);
        }

        private async Task WorkAsync()
        {
            try
            {
                await foreach (var (frameNumber, pixels) in _queue!.Reader.ReadAllAsync().ConfigureAwait(false))
                {
                    HashOne(frameNumber, pixels);
                }
            }
            catch (Exception e)
            {
                // Unblocks the reader (its next write fails) instead of leaving it waiting on a full queue.
                _queue!.Writer.TryComplete(e);
                throw;
            }
        }

        private void HashOne(int frameNumber, byte[] pixels)
        {
            try
            {
                var result = PdqHasher.HashFrame(pixels, _stream.Width, _stream.Height, _stream.Width * 3, PdqPixelFormat.Rgb24);
                var frame = new VpdqFrame(frameNumber, result.Hash, result.Quality, VpdqFrame.TimestampOf(frameNumber, _stream.FramesPerSecond));
                lock (_results)
                {
                    _results.Add(frame);
                }

                Interlocked.Increment(ref _hashed);
            }
            finally
            {
                ArrayPool<byte>.Shared.Return(pixels);
            }
        }
    }
}
