using Federation.Core.Pdq;

namespace Federation.Core.Tests.Pdq;

public sealed class PdqHashTests
{
    private const string Sample = "f8f8f0cce0f4e84d0e370a22028f67f0b36e2ed596623e1d33e6339c4e9c9b22";

    [Fact]
    public void Parse_then_ToString_round_trips_lowercase_hex()
    {
        var hash = PdqHash.Parse(Sample);

        Assert.Equal(Sample, hash.ToString());
    }

    [Fact]
    public void Parse_is_case_insensitive_and_formats_lowercase()
    {
        var upper = PdqHash.Parse(Sample.ToUpperInvariant());

        Assert.Equal(PdqHash.Parse(Sample), upper);
        Assert.Equal(Sample, upper.ToString());
    }

    [Theory]
    [InlineData("")]
    [InlineData("f8f8")]
    [InlineData("f8f8f0cce0f4e84d0e370a22028f67f0b36e2ed596623e1d33e6339c4e9c9b2")]
    [InlineData("f8f8f0cce0f4e84d0e370a22028f67f0b36e2ed596623e1d33e6339c4e9c9b222")]
    [InlineData("g8f8f0cce0f4e84d0e370a22028f67f0b36e2ed596623e1d33e6339c4e9c9b22")]
    [InlineData(" 8f8f0cce0f4e84d0e370a22028f67f0b36e2ed596623e1d33e6339c4e9c9b22")]
    [InlineData("0x f8f0cce0f4e84d0e370a22028f67f0b36e2ed596623e1d33e6339c4e9c9b22")]
    public void TryParse_rejects_anything_but_64_hex_characters(string text)
    {
        var ok = PdqHash.TryParse(text, out var hash);

        Assert.False(ok);
        Assert.Equal(PdqHash.Zero, hash);
        Assert.Throws<FormatException>(() => PdqHash.Parse(text));
    }

    [Fact]
    public void TryParse_rejects_null()
    {
        Assert.False(PdqHash.TryParse((string?)null, out _));
    }

    [Fact]
    public void WriteBytes_is_big_endian_in_hex_reading_order_and_FromBytes_inverts_it()
    {
        var hash = PdqHash.Parse(Sample);
        var bytes = new byte[PdqHash.ByteLength];

        hash.WriteBytes(bytes);

        Assert.Equal(Convert.FromHexString(Sample), bytes);
        Assert.Equal(hash, PdqHash.FromBytes(bytes));
    }

    [Fact]
    public void FromBytes_rejects_wrong_length()
    {
        Assert.Throws<ArgumentException>(() => PdqHash.FromBytes(new byte[31]));
        Assert.Throws<ArgumentException>(() => PdqHash.FromBytes(new byte[33]));
    }

    [Fact]
    public void Distance_is_zero_to_itself_and_256_to_its_complement()
    {
        var zero = PdqHash.Zero;
        var ones = PdqHash.Parse(new string('f', 64));

        Assert.Equal(0, ones.Distance(ones));
        Assert.Equal(256, zero.Distance(ones));
        Assert.Equal(256, ones.PopCount());
    }

    [Theory]
    [InlineData(0)]
    [InlineData(63)]
    [InlineData(64)]
    [InlineData(127)]
    [InlineData(128)]
    [InlineData(255)]
    public void Flipping_one_bit_gives_distance_one_in_every_word(int bit)
    {
        var hash = PdqHash.Parse(Sample);

        var flipped = hash.WithBitFlipped(bit);

        Assert.Equal(1, hash.Distance(flipped));
        Assert.Equal(!hash.GetBit(bit), flipped.GetBit(bit));
        Assert.NotEqual(hash, flipped);
    }

    [Fact]
    public void Bit_zero_is_the_lowest_bit_of_the_last_hex_character_as_in_the_reference()
    {
        var hash = PdqHash.Parse(new string('0', 63) + "1");

        Assert.True(hash.GetBit(0));
        Assert.Equal(1, hash.GetChunk16(0));
        Assert.Equal(0x8000, PdqHash.Parse("8" + new string('0', 63)).GetChunk16(15));
    }

    [Fact]
    public void Equal_hashes_have_equal_hash_codes()
    {
        var a = PdqHash.Parse(Sample);
        var b = PdqHash.Parse(Sample.ToUpperInvariant());

        Assert.True(a == b);
        Assert.Equal(a.GetHashCode(), b.GetHashCode());
        Assert.True(a.Equals((object)b));
    }
}
