using Federation.Core.Pdq;

namespace Federation.Imaging.Tests;

public sealed class ReferenceImageTests(ITestOutputHelper output)
{
    // expected.csv leaves quality blank for the q* photos; these are the reference C++ hasher's figures
    // (facebook/ThreatExchange pdq/sql/README.md, reg-test-input/labelme-subset).
    private static readonly Dictionary<string, int> ReferenceQualityNotInCsv = new()
    {
        ["q0003.jpg"] = 3,
        ["q0004.jpg"] = 4,
        ["q0122.jpg"] = 100,
        ["q0291.jpg"] = 100,
        ["q0746.jpg"] = 100,
        ["q1050.jpg"] = 100,
        ["q2821.jpg"] = 100,
    };

    [ReferenceDataFact]
    public void Every_reference_image_hashes_to_the_libjpeg_turbo_reference_bit_for_bit()
    {
        var rows = ReadExpected();
        var mismatches = new List<string>();

        foreach (var row in rows)
        {
            var actual = ImagePdqHasher.HashFile(ImagePath(row.File));

            var toTurbo = actual.Hash.Distance(row.LibjpegTurbo);
            var nearest = row.AllReferences.Min(r => actual.Hash.Distance(r));
            output.WriteLine($"{row.File,-26} quality {actual.Quality,3}  bits from libjpeg_turbo {toTurbo,2}  from nearest column {nearest,2}  {actual.Hash}");
            if (toTurbo != 0)
            {
                mismatches.Add($"{row.File}: {toTurbo} bits");
            }
        }

        Assert.Empty(mismatches);
    }

    [ReferenceDataFact]
    public void Images_of_quality_80_or_more_are_within_16_bits_of_the_nearest_reference_column()
    {
        foreach (var row in ReadExpected())
        {
            var actual = ImagePdqHasher.HashFile(ImagePath(row.File));
            if (actual.Quality < 80)
            {
                continue;
            }

            var nearest = row.AllReferences.Min(r => actual.Hash.Distance(r));

            Assert.True(nearest <= 16, $"{row.File}: {nearest} bits from the nearest reference column");
        }
    }

    [ReferenceDataFact]
    public void Quality_agrees_with_the_reference_within_5_points()
    {
        foreach (var row in ReadExpected())
        {
            int? expected = row.Quality ?? (ReferenceQualityNotInCsv.TryGetValue(row.File, out var q) ? q : null);
            if (expected is null)
            {
                continue;
            }

            var actual = ImagePdqHasher.HashFile(ImagePath(row.File));

            Assert.InRange(actual.Quality, expected.Value - 5, expected.Value + 5);
        }
    }

    [ReferenceDataFact]
    public void Images_of_low_reference_quality_report_quality_below_50()
    {
        var lowQuality = ReferenceQualityNotInCsv.Where(kv => kv.Value < 50).Select(kv => kv.Key).ToList();

        foreach (var file in lowQuality)
        {
            var actual = ImagePdqHasher.HashFile(ImagePath(file));

            Assert.True(actual.Quality < 50, $"{file}: quality {actual.Quality}");
        }

        Assert.NotEmpty(lowQuality);
    }

    [ReferenceDataFact]
    public void Dihedral_hashes_of_the_original_bridge_match_the_rotated_and_flipped_files()
    {
        string[] files =
        [
            "bridge-1-original.jpg", "bridge-2-rotate-90.jpg", "bridge-3-rotate-180.jpg", "bridge-4-rotate-270.jpg",
            "bridge-5-flipx.jpg", "bridge-6-flipy.jpg", "bridge-7-flip-plus-1.jpg", "bridge-8-flip-minus-1.jpg",
        ];

        var dihedral = ImagePdqHasher.HashDihedralFile(ImagePath(files[0]));

        Assert.Equal(ImagePdqHasher.HashFile(ImagePath(files[0])).Hash, dihedral.Original);
        for (var i = 0; i < files.Length; i++)
        {
            var distance = dihedral.All[i].Distance(ImagePdqHasher.HashFile(ImagePath(files[i])).Hash);
            output.WriteLine($"{files[i],-26} {distance,2} bits from the transformed original");
            Assert.True(distance <= 31, $"{files[i]}: {distance} bits");
        }
    }

    [ReferenceDataFact]
    public void Hash_of_a_stream_equals_hash_of_the_file()
    {
        var path = ImagePath("q0122.jpg");
        using var stream = File.OpenRead(path);

        var fromStream = ImagePdqHasher.Hash(stream);

        Assert.Equal(ImagePdqHasher.HashFile(path), fromStream);
    }

    [Fact]
    public void Data_that_is_not_an_image_is_rejected_as_invalid()
    {
        using var stream = new MemoryStream("definitely not an image"u8.ToArray());

        Assert.Throws<InvalidDataException>(() => ImagePdqHasher.Hash(stream));
    }

    private static string ImagePath(string file) => Path.Combine(ReferenceTestData.Directory!, "images", file);

    private static List<ExpectedRow> ReadExpected() =>
        [.. File.ReadLines(Path.Combine(ReferenceTestData.Directory!, "expected.csv"))
            .Skip(1)
            .Where(line => line.Length > 0)
            .Select(line => line.Split(','))
            .Select(f => new ExpectedRow(
                f[0],
                f[1].Length == 64 ? PdqHash.Parse(f[1]) : null,
                PdqHash.Parse(f[2]),
                f[3].Length > 0 ? int.Parse(f[3]) : null,
                PdqHash.Parse(f[4])))];

    private sealed record ExpectedRow(string File, PdqHash? Cimg, PdqHash Pil, int? Quality, PdqHash LibjpegTurbo)
    {
        public IEnumerable<PdqHash> AllReferences =>
            Cimg is { } cimg ? [cimg, Pil, LibjpegTurbo] : [Pil, LibjpegTurbo];
    }
}
