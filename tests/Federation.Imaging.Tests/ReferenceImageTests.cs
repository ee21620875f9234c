using Federation.Core.Pdq;
using Xunit.Abstractions;

namespace Federation.Imaging.Tests;

public sealed class ReferenceImageTests(ITestOutputHelper output)
{
    [Fact]
    public void Dump()
    {
        var dir = "/work/shared/testdata/pdq";
        foreach (var line in File.ReadAllLines(Path.Combine(dir, "expected.csv")).Skip(1))
        {
            var f = line.Split(',');
            var r = ImagePdqHasher.HashFile(Path.Combine(dir, "images", f[0]));
            var lj = PdqHash.Parse(f[4]);
            output.WriteLine($"{f[0]} q={r.Quality}/{f[3]} dLJT={r.Hash.Distance(lj)} {r.Hash}");
        }
    }
}
