using System.Buffers;
using System.Diagnostics.CodeAnalysis;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace Federation.Core.Signals;

/// <summary>
/// A validated signal identity: its kind, its decoded raw bytes and, for a keyed kind, its key id, held inline (no heap allocation) so that
/// the submit path can normalize ~100k signals/s without producing garbage. Two submissions name the same
/// signal exactly when their <see cref="NormalizedSignal"/> values are equal.
/// </summary>
/// <remarks>
/// Three encodings, all derivable from each other:
/// <list type="bullet">
/// <item><see cref="ToHex"/>: the normalized value members see (lowercase hex).</item>
/// <item><see cref="Id"/>: <c>&lt;name&gt;:&lt;hex&gt;</c>, the public, client-derivable id (proto <c>Signal.id</c>);
/// <c>&lt;name&gt;:&lt;key id&gt;:&lt;hex&gt;</c> for a keyed kind.</item>
/// <item><see cref="WriteKey"/>: one type byte followed by the raw bytes (33 bytes for SHA-256), the compact
/// Redis field name; a keyed kind appends a length byte and the key id's ASCII (<c>k1</c>: 36 bytes). The type byte is
/// the <see cref="SignalKind"/> number, so the layout is stable forever.</item>
/// </list>
/// <c>default(NormalizedSignal)</c> is "no signal" (<see cref="IsDefault"/>); every other value comes from
/// <see cref="SignalNormalizer"/>, <see cref="FromRaw(SignalKind, ReadOnlySpan{byte})"/>, <see cref="TryParseId(string?, out NormalizedSignal)"/>
/// or <see cref="TryFromKey"/>.
/// </remarks>
[StructLayout(LayoutKind.Auto)]
public readonly struct NormalizedSignal : IEquatable<NormalizedSignal>
{
    private readonly RawBuffer _raw;
    private readonly KeyIdBuffer _keyId;
    private readonly byte _kind;
    private readonly byte _length;
    private readonly byte _keyIdLength;

    // keyId: ASCII bytes of a key id already checked by SignalKeyId (empty for kinds that are not keyed).
    internal NormalizedSignal(SignalKind kind, ReadOnlySpan<byte> raw, ReadOnlySpan<byte> keyId = default)
    {
        _kind = (byte)kind;
        _length = (byte)raw.Length;
        _keyIdLength = (byte)keyId.Length;
        raw.CopyTo(_raw);
        keyId.CopyTo(_keyId);
    }

    internal NormalizedSignal(SignalKind kind, ReadOnlySpan<byte> raw, ReadOnlySpan<char> keyId)
        : this(kind, raw)
    {
        _keyIdLength = (byte)keyId.Length;
        for (var i = 0; i < keyId.Length; i++)
        {
            _keyId[i] = (byte)keyId[i];
        }
    }

    /// <summary>The signal's kind; <see cref="SignalKind.Unspecified"/> only for <c>default</c>.</summary>
    public SignalKind Kind => (SignalKind)_kind;

    /// <summary>Whether this is <c>default(NormalizedSignal)</c>, i.e. no signal.</summary>
    public bool IsDefault => _kind == 0;

    /// <summary>The decoded value (16, 20 or 32 bytes). The span points into this struct.</summary>
    [UnscopedRef]
    public ReadOnlySpan<byte> RawBytes => ((ReadOnlySpan<byte>)_raw)[.._length];

    /// <summary>The key id's ASCII bytes: empty unless the kind is keyed. The span points into this struct.</summary>
    [UnscopedRef]
    public ReadOnlySpan<byte> KeyIdBytes => ((ReadOnlySpan<byte>)_keyId)[.._keyIdLength];

    /// <summary>The key id of a keyed signal (e.g. <c>k2025a</c>); empty for every other kind. Allocates for keyed signals.</summary>
    public string KeyId => _keyIdLength == 0 ? string.Empty : System.Text.Encoding.ASCII.GetString(KeyIdBytes);

    /// <summary>Length of <see cref="WriteKey"/>'s output: one type byte plus the raw value (plus length byte and key id when keyed).</summary>
    public int KeyLength => 1 + _length + (_keyIdLength == 0 ? 0 : 1 + _keyIdLength);

    // Characters of Id after the name: ':' and the hex, preceded by the key id and ':' when keyed.
    private int IdTailLength => 1 + (2 * _length) + (_keyIdLength == 0 ? 0 : _keyIdLength + 1);

    /// <summary>
    /// The public id, <c>&lt;name&gt;:&lt;lowercase hex&gt;</c>, e.g. <c>sha256:9f86d0…</c> or <c>url_sha256:…</c>.
    /// Allocates a string on each call; use <see cref="TryFormatId"/> on hot paths.
    /// </summary>
    public string Id
    {
        get
        {
            var info = SignalRules.Get(Kind);
            return string.Create(info.Name.Length + IdTailLength, this, static (chars, signal) =>
            {
                signal.TryFormatId(chars, out _);
            });
        }
    }

    /// <summary>Builds a signal from raw bytes, e.g. a hash the CLI computed locally.</summary>
    /// <exception cref="ArgumentException">The kind is not supported or <paramref name="raw"/> has the wrong length for it.</exception>
    public static NormalizedSignal FromRaw(SignalKind kind, ReadOnlySpan<byte> raw)
    {
        if (!SignalRules.TryGet(kind, out var info) || !info.IsSupported)
        {
            throw new ArgumentException($"Signal kind {kind} is not supported.", nameof(kind));
        }

        if (raw.Length != info.RawLength)
        {
            throw new ArgumentException($"A {info.DisplayName} value is {info.RawLength} bytes; got {raw.Length}.", nameof(raw));
        }

        if (info.IsKeyed)
        {
            throw new ArgumentException($"{info.DisplayName} is keyed: give its key id.", nameof(kind));
        }

        return new NormalizedSignal(kind, raw);
    }

    /// <summary>Builds a keyed signal (<see cref="SignalTypeInfo.IsKeyed"/>) from its key id and raw HMAC bytes.</summary>
    /// <exception cref="ArgumentException">The kind is not keyed, the key id is malformed, or <paramref name="raw"/> has the wrong length.</exception>
    public static NormalizedSignal FromRaw(SignalKind kind, string keyId, ReadOnlySpan<byte> raw)
    {
        ArgumentNullException.ThrowIfNull(keyId);
        if (!SignalRules.TryGet(kind, out var info) || !info.IsKeyed)
        {
            throw new ArgumentException($"Signal kind {kind} is not keyed.", nameof(kind));
        }

        if (!SignalKeyId.TryCheck(info, keyId, out var error))
        {
            throw new ArgumentException(error.Message, nameof(keyId));
        }

        if (raw.Length != info.RawLength)
        {
            throw new ArgumentException($"A {info.DisplayName} value is {info.RawLength} bytes; got {raw.Length}.", nameof(raw));
        }

        return new NormalizedSignal(kind, raw, keyId.AsSpan());
    }

    /// <summary>The normalized value: lowercase hex of <see cref="RawBytes"/>.</summary>
    public string ToHex() => Convert.ToHexStringLower(RawBytes);

    /// <summary>Writes <see cref="Id"/> into <paramref name="destination"/> without allocating.</summary>
    /// <returns>False when <paramref name="destination"/> is too small or this is <c>default</c>.</returns>
    public bool TryFormatId(Span<char> destination, out int charsWritten)
    {
        charsWritten = 0;
        if (!SignalRules.TryGet(Kind, out var info))
        {
            return false;
        }

        var name = info.Name;
        var length = name.Length + IdTailLength;
        if (destination.Length < length)
        {
            return false;
        }

        name.CopyTo(destination);
        var at = name.Length;
        destination[at++] = ':';
        foreach (var b in KeyIdBytes)
        {
            destination[at++] = (char)b;
        }

        if (_keyIdLength > 0)
        {
            destination[at++] = ':';
        }

        Convert.TryToHexStringLower(RawBytes, destination[at..], out _);
        charsWritten = length;
        return true;
    }

    /// <summary>
    /// Writes the compact binary identity, <c>[kind byte][raw bytes]</c> (keyed: <c>[kind byte][raw bytes][key id length][key id]</c>),
    /// used as the Redis field name.
    /// A stack buffer of <see cref="SignalRules.MaxKeyLength"/> bytes always suffices.
    /// </summary>
    /// <returns>The number of bytes written, <see cref="KeyLength"/>.</returns>
    /// <exception cref="ArgumentException"><paramref name="destination"/> is shorter than <see cref="KeyLength"/>.</exception>
    /// <exception cref="InvalidOperationException">This is <c>default</c>.</exception>
    public int WriteKey(Span<byte> destination)
    {
        if (IsDefault)
        {
            throw new InvalidOperationException("default(NormalizedSignal) has no key.");
        }

        if (destination.Length < KeyLength)
        {
            throw new ArgumentException($"The key needs {KeyLength} bytes; the buffer has {destination.Length}.", nameof(destination));
        }

        destination[0] = _kind;
        RawBytes.CopyTo(destination[1..]);
        if (_keyIdLength > 0)
        {
            destination[1 + _length] = _keyIdLength;
            KeyIdBytes.CopyTo(destination[(2 + _length)..]);
        }

        return KeyLength;
    }

    /// <summary>Reads a key written by <see cref="WriteKey"/>.</summary>
    /// <returns>False when the type byte names no supported kind or the length does not fit it.</returns>
    public static bool TryFromKey(ReadOnlySpan<byte> key, out NormalizedSignal signal)
    {
        if (TryReadKey(key, out signal, out var consumed) && consumed == key.Length)
        {
            return true;
        }

        signal = default;
        return false;
    }

    /// <summary>
    /// Reads a key written by <see cref="WriteKey"/> at the start of <paramref name="key"/>, which may continue (a storage
    /// key appends the sharing group); <paramref name="consumed"/> is the signal key's length.
    /// </summary>
    /// <returns>False when the type byte names no supported kind or the bytes are too short for it.</returns>
    public static bool TryReadKey(ReadOnlySpan<byte> key, out NormalizedSignal signal, out int consumed)
    {
        signal = default;
        consumed = 0;
        if (key.IsEmpty || !SignalRules.TryGet((SignalKind)key[0], out var info) || !info.IsSupported
            || key.Length < 1 + info.RawLength)
        {
            return false;
        }

        var raw = key.Slice(1, info.RawLength);
        if (!info.IsKeyed)
        {
            signal = new NormalizedSignal(info.Kind, raw);
            consumed = 1 + info.RawLength;
            return true;
        }

        // The key id was validated when the signal was submitted; a store can hold nothing else.
        var at = 1 + info.RawLength;
        if (key.Length <= at || key[at] is 0 or > SignalKeyId.MaxLength || key.Length < at + 1 + key[at])
        {
            return false;
        }

        signal = new NormalizedSignal(info.Kind, raw, key.Slice(at + 1, key[at]));
        consumed = at + 1 + key[at];
        return true;
    }

    /// <summary>Reads a key written by <see cref="WriteKey"/>; for keys read back from the hub's own store.</summary>
    /// <exception cref="FormatException">The key is not a valid signal key.</exception>
    public static NormalizedSignal FromKey(ReadOnlySpan<byte> key) =>
        TryFromKey(key, out var signal)
            ? signal
            : throw new FormatException($"Not a signal key ({key.Length} bytes, type byte {(key.IsEmpty ? -1 : key[0])}).");

    /// <summary>Parses an <see cref="Id"/> such as <c>sha256:9f86…</c>. The name must be exact; the hex may be any case.</summary>
    public static bool TryParseId([NotNullWhen(true)] string? id, out NormalizedSignal signal) =>
        TryParseId(id.AsSpan(), out signal);

    /// <summary>
    /// Parses an <see cref="Id"/> such as <c>sha256:9f86…</c> or <c>url_hmac_sha256:k1:9f86…</c>. The name and key id
    /// must be exact; the hex may be any case.
    /// </summary>
    public static bool TryParseId(ReadOnlySpan<char> id, out NormalizedSignal signal)
    {
        signal = default;
        var colon = id.IndexOf(':');
        if (colon <= 0 || !SignalRules.TryGetByName(id[..colon], out var info) || !info.IsSupported)
        {
            return false;
        }

        var hex = id[(colon + 1)..];
        var keyId = ReadOnlySpan<char>.Empty;
        if (info.IsKeyed)
        {
            var second = hex.IndexOf(':');
            if (second < 0)
            {
                return false;
            }

            keyId = hex[..second];
            hex = hex[(second + 1)..];
            if (!SignalKeyId.IsValid(keyId))
            {
                return false;
            }
        }

        Span<byte> raw = stackalloc byte[SignalRules.MaxRawLength];
        raw = raw[..info.RawLength];
        if (hex.Length != info.HexLength || Convert.FromHexString(hex, raw, out _, out _) != OperationStatus.Done)
        {
            return false;
        }

        signal = new NormalizedSignal(info.Kind, raw, keyId);
        return true;
    }

    /// <summary>
    /// The storage partition of this signal: the first two raw bytes as a big-endian <see cref="ushort"/>,
    /// modulo <paramref name="partitionCount"/>. Hash values are uniform, so this spreads evenly.
    /// </summary>
    /// <remarks>
    /// STABLE FOREVER: stored data lives in the partition this function picked when it was written. Changing
    /// the formula (or including the kind) would strand every existing record in the wrong partition.
    /// </remarks>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="partitionCount"/> is not between 1 and 65,536.</exception>
    /// <exception cref="InvalidOperationException">This is <c>default</c>.</exception>
    public int Partition(int partitionCount)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(partitionCount, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(partitionCount, ushort.MaxValue + 1);
        if (_length < 2)
        {
            throw new InvalidOperationException("default(NormalizedSignal) has no partition.");
        }

        var raw = RawBytes;
        return ((raw[0] << 8) | raw[1]) % partitionCount;
    }

    /// <inheritdoc />
    public bool Equals(NormalizedSignal other) =>
        _kind == other._kind && _length == other._length && RawBytes.SequenceEqual(other.RawBytes)
        && KeyIdBytes.SequenceEqual(other.KeyIdBytes);

    /// <inheritdoc />
    public override bool Equals(object? obj) => obj is NormalizedSignal other && Equals(other);

    /// <summary>Hashes every byte with the per-process randomized <see cref="HashCode"/>, so crafted values cannot force collisions.</summary>
    public override int GetHashCode()
    {
        var hash = default(HashCode);
        hash.Add(_kind);
        hash.AddBytes(RawBytes);
        hash.AddBytes(KeyIdBytes);
        return hash.ToHashCode();
    }

    /// <summary>The <see cref="Id"/>, or <c>(none)</c> for <c>default</c>.</summary>
    public override string ToString() => IsDefault ? "(none)" : Id;

    /// <summary>Identity equality.</summary>
    public static bool operator ==(NormalizedSignal left, NormalizedSignal right) => left.Equals(right);

    /// <summary>Identity inequality.</summary>
    public static bool operator !=(NormalizedSignal left, NormalizedSignal right) => !left.Equals(right);

    [InlineArray(SignalRules.MaxRawLength)]
    private struct RawBuffer
    {
        private byte _element0;
    }

    [InlineArray(SignalKeyId.MaxLength)]
    private struct KeyIdBuffer
    {
        private byte _element0;
    }
}
