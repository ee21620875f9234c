using System.Text.Json;
using Federation.Imaging.Tests.Vpdq;

namespace Federation.Cli.Tests;

public sealed class FedctlVideoHashTests : IDisposable
{
    private readonly Fedctl fedctl = new();

    public void Dispose() => fedctl.Dispose();

    [VpdqReferenceFact]
    public async Task Hash_of_a_video_prints_md5_sha256_and_its_vpdq_frames_as_json()
    {
        var video = Path.Combine(VpdqReferenceData.Directory!, "b-sierpinski-half.mp4");
        var reference = (await File.ReadAllLinesAsync(video + ".vpdq.txt")).Where(l => l.Length > 0).ToList();

        var result = await fedctl.RunAsync("-o", "json", "hash", video);

        Assert.True(result.ExitCode == 0, result.ToString());
        var row = JsonDocument.Parse(result.Stdout).RootElement;
        var expected = Federation.Imaging.FileHashes.FromFile(video);
        Assert.Equal(expected.Md5, row.GetProperty("md5").GetString());
        Assert.Equal(expected.Sha256, row.GetProperty("sha256").GetString());
        Assert.Equal(64, row.GetProperty("vpdq").GetString()!.Length);
        Assert.Equal(reference.Count, row.GetProperty("vpdqFrames").GetInt32());
        var frames = row.GetProperty("frames").EnumerateArray().ToList();
        Assert.Equal(reference.Count, frames.Count);
        for (var i = 0; i < reference.Count; i++)
        {
            var parts = reference[i].Split(',');
            Assert.Equal(int.Parse(parts[0], System.Globalization.CultureInfo.InvariantCulture), frames[i].GetProperty("frame").GetInt32());
            Assert.Equal(parts[2], frames[i].GetProperty("pdq").GetString());
        }
    }

    [VpdqReferenceFact]
    public async Task Hash_with_vpdq_text_prints_the_reference_output_byte_for_byte()
    {
        var video = Path.Combine(VpdqReferenceData.Directory!, "c-testsrc-lowbr.webm");

        var result = await fedctl.RunAsync("hash", "--vpdq-text", video);

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Equal(await File.ReadAllTextAsync(video + ".vpdq.txt"), result.Stdout);
    }
}
