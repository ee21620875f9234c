using System.Security.Cryptography;
using System.Text;
using Federation.Core.Governance;
using Federation.Core.Signals;

namespace Federation.Hub.Taxii;

/// <summary>
/// Deterministic STIX and TAXII identifiers: UUIDv5 (RFC 9562, SHA-1 name-based) in the hub's own namespace, so every
/// replica, every restart and every deployment names a record the same way, and a client can derive an indicator's id
/// from the record id it got over gRPC.
/// </summary>
public static class StixIds
{
    /// <summary>
    /// The hub's UUIDv5 namespace (a random UUID fixed once; never change it, or every published id changes). Not the
    /// STIX SCO namespace <c>00abedb4-…</c>: that one is reserved for the id-contributing properties of cyber observables.
    /// </summary>
    public static readonly Guid Namespace = new("38182014-baf0-4e37-bd57-e368bd45f604");

    /// <summary>The STIX <c>identity</c> of the coalition, <c>created_by_ref</c> of every object the hub serves.</summary>
    public static readonly string CoalitionIdentity = "identity--" + Uuid5("identity:coalition").ToString("D");

    /// <summary>The STIX extension definition of Federation signals (docs/taxii.md); its id is the key in <c>extensions</c>.</summary>
    public static readonly string SignalExtension = "extension-definition--" + Uuid5("extension-definition:federation-signal:1").ToString("D");

    /// <summary>The UUID of the indicator of a record, from its record id (<see cref="SignalRecordId"/>).</summary>
    public static Guid Indicator(in NormalizedSignal signal, string sharingGroup) => Uuid5(SignalRecordId.Of(signal.Id, sharingGroup));

    /// <summary>The UUID of a record's indicator, from the record id (<c>&lt;type&gt;:&lt;value&gt;[@&lt;group&gt;]</c>).</summary>
    public static Guid Indicator(string recordId) => Uuid5(recordId);

    /// <summary>The id of a TAXII collection: "" for the coalition-wide one, else the sharing group's name.</summary>
    public static string Collection(string sharingGroup) => Uuid5("collection:" + sharingGroup).ToString("D");

    /// <summary>UUIDv5 of <paramref name="name"/> (UTF-8) in <see cref="Namespace"/>.</summary>
    public static Guid Uuid5(string name)
    {
        var length = Encoding.UTF8.GetByteCount(name);
        var input = length <= 512 ? stackalloc byte[16 + length] : new byte[16 + length];
        // RFC 9562 hashes the namespace in network byte order.
        WriteBigEndian(Namespace, input);
        Encoding.UTF8.GetBytes(name, input[16..]);
        Span<byte> hash = stackalloc byte[20];
#pragma warning disable CA5350 // UUIDv5 is defined over SHA-1; it names objects, it protects nothing.
        SHA1.HashData(input, hash);
#pragma warning restore CA5350
        hash[6] = (byte)((hash[6] & 0x0F) | 0x50);
        hash[8] = (byte)((hash[8] & 0x3F) | 0x80);
        return new Guid(hash[..16], bigEndian: true);
    }

    private static void WriteBigEndian(Guid guid, Span<byte> destination)
    {
        if (!guid.TryWriteBytes(destination, bigEndian: true, out _))
        {
            throw new InvalidOperationException("A GUID is 16 bytes.");
        }
    }

    /// <summary>
    /// The OASIS TLP 2.0 marking definitions (STIX 2.1 extension "tlp-2.0", cti-stix-common-objects), referenced by
    /// id from each indicator's <c>object_marking_refs</c>: well-known ids every STIX 2.1 consumer that knows TLP 2.0
    /// resolves itself, as with STIX's built-in TLP 1.0 definitions. Null for a level without one (unspecified).
    /// </summary>
    public static string? TlpMarking(TlpLevel level) => level switch
    {
        TlpLevel.Clear => "marking-definition--94868c89-83c2-464b-929b-a1a8aa3c8487",
        TlpLevel.Green => "marking-definition--bab4a63c-aed9-4cf5-a766-dfca5abac2bb",
        TlpLevel.Amber => "marking-definition--55d920b0-5e8b-4f79-9ee9-91f868d9b421",
        TlpLevel.AmberStrict => "marking-definition--939a9414-2ddd-4d32-a0cd-375ea402b003",
        TlpLevel.Red => "marking-definition--e828b379-4e03-4974-9ac4-e53a884c97c1",
        _ => null,
    };
}
