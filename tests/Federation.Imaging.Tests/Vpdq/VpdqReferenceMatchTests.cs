using System.Globalization;
using Federation.Core.Vpdq;

namespace Federation.Imaging.Tests.Vpdq;

public sealed class VpdqReferenceMatchTests(ITestOutputHelper output)
{
    [VpdqReferenceFact]
    public async Task Every_edit_matches_its_original_with_the_reference_percentages_and_decision()
    {
        var directory = VpdqReferenceData.Directory!;
        var rows = (await File.ReadAllLinesAsync(Path.Combine(directory, "matches.csv"))).Skip(1).Where(l => l.Length > 0).ToList();
        Assert.NotEmpty(rows);
        foreach (var row in rows)
        {
            var parts = row.Split(',');
            var query = await ReadSetAsync(directory, parts[0]);
            var target = await ReadSetAsync(directory, parts[1]);

            var result = VpdqMatcher.Compare(query, target);

            output.WriteLine($"{parts[0]} vs {parts[1]}: query {result.QueryMatchPercent:F2} (reference {parts[2]}), target {result.TargetMatchPercent:F2} (reference {parts[3]})");
            Assert.Equal(double.Parse(parts[2], CultureInfo.InvariantCulture), result.QueryMatchPercent, 0.01);
            Assert.Equal(double.Parse(parts[3], CultureInfo.InvariantCulture), result.TargetMatchPercent, 0.01);
            Assert.Equal(parts[4] == "yes", result.IsMatch(VpdqMatcher.DefaultMinQueryMatchPercent, VpdqMatcher.DefaultMinTargetMatchPercent));
        }
    }

    private static async Task<VpdqFrameSet> ReadSetAsync(string directory, string video) =>
        VpdqFrameSet.FromFrames(VpdqText.Parse(await File.ReadAllTextAsync(Path.Combine(directory, video + ".vpdq.txt"))));
}
