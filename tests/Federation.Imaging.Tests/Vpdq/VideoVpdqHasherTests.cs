using Federation.Core.Vpdq;

namespace Federation.Imaging.Tests.Vpdq;

public sealed class VideoVpdqHasherTests(ITestOutputHelper output)
{
    [VpdqReferenceFact]
    public async Task Every_reference_video_hashes_to_the_reference_vpdq_frame_for_frame()
    {
        var failures = new List<string>();
        foreach (var (video, reference, framesHashed) in VpdqReferenceData.Rows())
        {
            var expected = VpdqText.Parse(await File.ReadAllTextAsync(reference));
            var actual = await VideoVpdqHasher.HashFileAsync(video);

            var name = Path.GetFileName(video);
            Assert.Equal(framesHashed, expected.Count);
            if (actual.Frames.Count != expected.Count)
            {
                failures.Add($"{name}: {actual.Frames.Count} frames hashed, the reference {expected.Count}");
                continue;
            }

            var distances = actual.Frames.Zip(expected, (a, e) => a.Hash.Distance(e.Hash)).ToList();
            output.WriteLine($"{name,-24} frames {actual.Frames.Count,4}  max bits {distances.Max(),2}  mean bits {distances.Average(),6:F3}  frames differing {distances.Count(d => d > 0),3}");
            for (var i = 0; i < expected.Count; i++)
            {
                var (a, e) = (actual.Frames[i], expected[i]);
                if (a.FrameNumber != e.FrameNumber || a.Quality != e.Quality || distances[i] != 0
                    || VpdqText.FormatLine(a) != VpdqText.FormatLine(e))
                {
                    failures.Add($"{name} line {i + 1}: got '{VpdqText.FormatLine(a)}', reference '{VpdqText.FormatLine(e)}' ({distances[i]} bits)");
                }
            }
        }

        Assert.Empty(failures);
    }

    [VpdqReferenceFact]
    public async Task The_text_output_is_the_reference_file_byte_for_byte()
    {
        foreach (var (video, reference, _) in VpdqReferenceData.Rows())
        {
            var actual = await VideoVpdqHasher.HashFileAsync(video, new VpdqHashOptions { HashingThreads = 3 });

            Assert.Equal(await File.ReadAllTextAsync(reference), VpdqText.Format(actual.Frames));
        }
    }
}
