using System.Text;

namespace Federation.Imaging.Tests;

public sealed class FileHashesTests
{
    [Fact]
    public void Known_input_gives_the_published_md5_and_sha256()
    {
        using var stream = new MemoryStream(Encoding.ASCII.GetBytes("abc"));

        var hashes = FileHashes.FromStream(stream);

        Assert.Equal("900150983cd24fb0d6963f7d28e17f72", hashes.Md5);
        Assert.Equal("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad", hashes.Sha256);
    }

    [Fact]
    public async Task A_file_larger_than_the_buffer_hashes_the_same_streamed_sync_and_async()
    {
        var path = Path.GetTempFileName();
        try
        {
            var data = new byte[300_000];
            new Random(1).NextBytes(data);
            await File.WriteAllBytesAsync(path, data);

            var sync = FileHashes.FromFile(path);
            var async = await FileHashes.FromFileAsync(path);

            Assert.Equal(Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(data)), sync.Sha256);
#pragma warning disable CA5351 // MD5 is a signal type members share, not a security primitive here.
            Assert.Equal(Convert.ToHexStringLower(System.Security.Cryptography.MD5.HashData(data)), sync.Md5);
#pragma warning restore CA5351
            Assert.Equal(sync, async);
        }
        finally
        {
            File.Delete(path);
        }
    }
}
