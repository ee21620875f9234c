using Federation.Cli.Input;
using Federation.Contracts.V1;

namespace Federation.Cli.Tests;

/// <summary>CSV input is read by a real CSV parser: quoted fields with commas, quotes and line breaks, comments.</summary>
public sealed class SignalFileReaderTests : IDisposable
{
    private const string Sha = "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08";
    private const string Md5 = "098f6bcd4621d373cade4e832627b4f6";
    private readonly string path = Path.Combine(Directory.CreateTempSubdirectory("fedctl-csv-").FullName, "signals.csv");

    public void Dispose() => Directory.Delete(Path.GetDirectoryName(path)!, recursive: true);

    [Fact]
    public void Quoted_line_breaks_commas_and_quotes_stay_inside_their_field()
    {
        File.WriteAllText(path,
            "type,value,categories,note\n" +
            $"sha256,{Sha},\"csam;grooming\",\"seen twice,\nonce \"\"re-encoded\"\"\"\n" +
            "# a comment line\n" +
            "\n" +
            $"md5,{Md5},csam,plain\n");

        var items = SignalFileReader.Read(path, null, []).ToList();

        Assert.Equal(2, items.Count);
        Assert.All(items, i => Assert.Null(i.Error));
        Assert.Equal((SignalType.Sha256, Sha), (items[0].Submission!.Type, items[0].Submission!.Value));
        Assert.Equal([Category.Csam, Category.Grooming], items[0].Submission!.Categories);
        Assert.Equal((SignalType.Md5, Md5, 6), (items[1].Submission!.Type, items[1].Submission!.Value, items[1].Line));
        Assert.Equal(2, items[0].Line);
    }

    [Fact]
    public void Broken_record_is_that_line_s_error_and_reading_goes_on()
    {
        File.WriteAllText(path,
            "type,value,categories\n" +
            "sha256,\"ab\"cd,csam\n" +
            $"md5,{Md5},csam\n");

        var items = SignalFileReader.Read(path, null, []).ToList();

        Assert.Equal(2, items.Count);
        Assert.NotNull(items[0].Error);
        Assert.Equal(2, items[0].Line);
        Assert.Null(items[1].Error);
        Assert.Equal(3, items[1].Line);
    }
}
