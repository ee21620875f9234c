using System.Buffers.Binary;
using System.Buffers.Text;

namespace Federation.Hub.Taxii;

/// <summary>
/// A place in a collection's order: (date added in Unix milliseconds, object UUID), compared in that order. The TAXII
/// <c>next</c> token is the position of the last object of a page, so the next page starts strictly after it whatever
/// was added or changed meanwhile (docs/taxii.md, "Paging").
/// </summary>
public readonly record struct CatalogPosition(long DateAdded, Guid Id) : IComparable<CatalogPosition>
{
    private const int TokenBytes = 8 + 16;

    /// <summary>Before every object.</summary>
    public static CatalogPosition Start => new(long.MinValue, Guid.Empty);

    /// <summary>After every object added at or before <paramref name="milliseconds"/> (<c>added_after</c>).</summary>
    public static CatalogPosition After(long milliseconds) => new(milliseconds, MaxGuid);

    private static readonly Guid MaxGuid = new(Enumerable.Repeat((byte)0xFF, 16).ToArray());

    public int CompareTo(CatalogPosition other)
    {
        var byDate = DateAdded.CompareTo(other.DateAdded);
        return byDate != 0 ? byDate : Id.CompareTo(other.Id);
    }

    /// <summary>The later of two positions.</summary>
    public static CatalogPosition Max(CatalogPosition a, CatalogPosition b) => a.CompareTo(b) >= 0 ? a : b;

    /// <summary>The opaque <c>next</c> token: base64url of the date (8 bytes) and the UUID (16 bytes), 32 characters.</summary>
    public string ToToken()
    {
        Span<byte> bytes = stackalloc byte[TokenBytes];
        BinaryPrimitives.WriteInt64BigEndian(bytes, DateAdded);
        Id.TryWriteBytes(bytes[8..], bigEndian: true, out _);
        return Base64Url.EncodeToString(bytes);
    }

    /// <summary>Reads a token made by <see cref="ToToken"/>; false for anything else.</summary>
    public static bool TryParseToken(string? token, out CatalogPosition position)
    {
        position = default;
        Span<byte> bytes = stackalloc byte[TokenBytes];
        // Base64Url.TryDecodeFromChars throws (rather than returning false) on characters outside the alphabet.
        if (token is null || token.Length != 32 || !token.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_') ||
            !Base64Url.TryDecodeFromChars(token, bytes, out var written) || written != TokenBytes)
        {
            return false;
        }

        position = new CatalogPosition(BinaryPrimitives.ReadInt64BigEndian(bytes), new Guid(bytes[8..], bigEndian: true));
        return true;
    }

    public static bool operator <(CatalogPosition left, CatalogPosition right) => left.CompareTo(right) < 0;

    public static bool operator >(CatalogPosition left, CatalogPosition right) => left.CompareTo(right) > 0;

    public static bool operator <=(CatalogPosition left, CatalogPosition right) => left.CompareTo(right) <= 0;

    public static bool operator >=(CatalogPosition left, CatalogPosition right) => left.CompareTo(right) >= 0;
}
