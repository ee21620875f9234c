using Federation.Cli.Infrastructure;
using Federation.Core.Vpdq;
using Federation.Imaging;

namespace Federation.Cli.Commands;

/// <summary>vPDQ of one video for <c>fedctl hash</c>, with a progress bar over the video's duration.</summary>
public static class VideoHashing
{
    private const int ProgressSteps = 1000;

    /// <summary>Hashes the video, showing progress on a terminal.</summary>
    public static async Task<VpdqVideoHash> HashAsync(CliContext context, string file, VpdqHashOptions options, CancellationToken cancellationToken)
    {
        VpdqVideoHash? result = null;
        await ProgressBar.RunAsync(context, $"vPDQ {Path.GetFileName(file)}", ProgressSteps, async done =>
        {
            var reported = 0;
            var progress = new Progress<VideoHashProgress>(p =>
            {
                if (p.Duration is not { TotalSeconds: > 0 } duration)
                {
                    return;
                }

                var step = (int)Math.Min(ProgressSteps, p.Position / duration * ProgressSteps);
                if (step > reported)
                {
                    done(step - reported);
                    reported = step;
                }
            });
            try
            {
                result = await VideoVpdqHasher.HashFileAsync(file, options, progress, cancellationToken);
            }
            catch (InvalidOperationException e)
            {
                throw CliException.Usage(e.Message);
            }
            catch (InvalidDataException e)
            {
                throw CliException.Usage(e.Message);
            }
        });
        return result!;
    }

    /// <summary>The output row of one video: MD5, SHA-256 and (unless skipped) the vPDQ identity, counts and frames.</summary>
    public static async Task<Dictionary<string, object?>> HashRowAsync(CliContext context, string file, bool vpdq, VpdqHashOptions options, CancellationToken cancellationToken)
    {
        var hashes = await FileHashes.FromFileAsync(file, cancellationToken);
        var row = new Dictionary<string, object?> { ["input"] = file, ["md5"] = hashes.Md5, ["video_md5"] = hashes.Md5, ["sha256"] = hashes.Sha256 };
        if (!vpdq)
        {
            return row;
        }

        var video = await HashAsync(context, file, options, cancellationToken);
        var set = VpdqFrameSet.FromFrames(video.Frames);
        row["vpdq"] = Convert.ToHexStringLower(set.Identity);
        row["vpdqFrames"] = video.Frames.Count;
        row["vpdqDistinctFrames"] = set.FeatureList.Count;
        if (context.Json)
        {
            row["frames"] = video.Frames.Select(f => new Dictionary<string, object?>
            {
                ["frame"] = f.FrameNumber,
                ["quality"] = f.Quality,
                ["pdq"] = f.Hash.ToString(),
                ["timestamp"] = Math.Round((double)f.Timestamp, 3),
            }).ToList();
        }

        return row;
    }
}
