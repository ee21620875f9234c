using Federation.Core.Pdq;

namespace Federation.Core.Tests.Pdq;

public sealed class PdqReferenceListTests
{
    [ReferenceDataFact]
    public void Reference_needles_against_haystack_match_brute_force_at_every_threshold()
    {
        var haystack = ReadHashes("haystack.txt");
        var needles = ReadHashes("needles.txt");
        using var index = new PdqIndex<int>();
        var brute = new PdqBruteForce<int>();
        for (var i = 0; i < haystack.Count; i++)
        {
            index.Add(haystack[i], i);
            brute.Add(haystack[i], i);
        }

        var totalMatches = 0;
        foreach (var threshold in new[] { 0, 1, 8, 16, 31, 32, 63 })
        {
            foreach (var needle in needles)
            {
                var expected = PdqTestData.Canonical(brute.Query(needle, threshold));
                var actual = PdqTestData.Canonical(index.Query(needle, threshold));

                Assert.Equal(expected, actual);
                totalMatches += actual.Count;
            }
        }

        Assert.Equal(1350, index.Count);
        Assert.True(totalMatches > 0, "The reference needles are chosen to have neighbours in the haystack.");
    }

    private static List<PdqHash> ReadHashes(string name) =>
        [.. File.ReadLines(Path.Combine(ReferenceTestData.Directory!, name))
            .Select(line => line.Trim())
            .Where(line => line.Length > 0)
            .Select(line => PdqHash.Parse(line.Split(',', ' ', '\t')[0]))];
}
