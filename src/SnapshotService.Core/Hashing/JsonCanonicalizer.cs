using System.Buffers;
using System.Globalization;
using System.Runtime.CompilerServices;
using System.Text.Json;
using System.Text.Unicode;

namespace SnapshotService.Hashing;

/// <summary>
/// Writes the canonical form of a JSON document (spec: docs/export-format.md, "Content hash").
/// One instance per thread (<see cref="Rent"/>): its buffers are reused, so hashing a document
/// allocates nothing once the buffers have grown to the largest document seen.
/// </summary>
/// <remarks>
/// One pass over the input: every value is written in input order; an object whose keys arrive
/// out of order (or repeated) is rewritten from a scratch copy in sorted order when it closes.
/// Already-sorted objects, the common case for generated documents, cost no extra copy.
/// </remarks>
internal sealed class JsonCanonicalizer
{
    private const int MaxDepth = 256;
    private const double MaxExactInteger = 9007199254740992d; // 2^53

    private static readonly SearchValues<byte> BytesToEscape = SearchValues.Create(CreateEscapeSet());
    private static readonly JsonReaderOptions ReaderOptions = new() { MaxDepth = MaxDepth, CommentHandling = JsonCommentHandling.Disallow, AllowTrailingCommas = false };

    [ThreadStatic]
    private static JsonCanonicalizer? t_cached;

    private byte[] _output = new byte[4096];
    private int _length;
    private byte[] _names = new byte[1024];
    private int _namesLength;
    private PropertyEntry[] _entries = new PropertyEntry[64];
    private int _entryCount;
    private byte[] _scratch = new byte[4096];

    /// <summary>The canonicalizer of the current thread.</summary>
    public static JsonCanonicalizer Rent() => t_cached ??= new JsonCanonicalizer();

    /// <summary>
    /// Canonicalizes <paramref name="json"/>; the result is valid until the next call on this
    /// thread. Throws <see cref="InvalidDataException"/> when the input is not one valid JSON value.
    /// </summary>
    public ReadOnlySpan<byte> Canonicalize(ReadOnlySpan<byte> json, byte[][] excludedTopLevelNames)
    {
        _length = 0;
        _namesLength = 0;
        _entryCount = 0;
        var reader = new Utf8JsonReader(json, isFinalBlock: true, new JsonReaderState(ReaderOptions));
        try
        {
            if (!reader.Read())
            {
                throw new InvalidDataException("The document is empty; expected one JSON value.");
            }
            WriteValue(ref reader, excludedTopLevelNames);
            if (reader.Read())
            {
                throw new InvalidDataException($"The document has content after its JSON value at byte {reader.TokenStartIndex}.");
            }
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"The document is not valid JSON: {e.Message}", e);
        }
        catch (InvalidOperationException e)
        {
            // Utf8JsonReader reports invalid UTF-8 and lone surrogates in escapes this way.
            throw new InvalidDataException($"The document is not valid JSON text: {e.Message}", e);
        }
        return _output.AsSpan(0, _length);
    }

    private void WriteValue(ref Utf8JsonReader reader, byte[][]? excludedNames)
    {
        switch (reader.TokenType)
        {
            case JsonTokenType.StartObject:
                WriteObject(ref reader, excludedNames);
                break;
            case JsonTokenType.StartArray:
                WriteByte((byte)'[');
                var first = true;
                while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
                {
                    if (!first)
                    {
                        WriteByte((byte)',');
                    }
                    first = false;
                    WriteValue(ref reader, null);
                }
                WriteByte((byte)']');
                break;
            case JsonTokenType.String:
                WriteStringToken(ref reader);
                break;
            case JsonTokenType.Number:
                WriteNumber(reader.ValueSpan);
                break;
            case JsonTokenType.True:
                WriteBytes("true"u8);
                break;
            case JsonTokenType.False:
                WriteBytes("false"u8);
                break;
            case JsonTokenType.Null:
                WriteBytes("null"u8);
                break;
            default:
                throw new InvalidDataException($"Unexpected JSON token {reader.TokenType} at byte {reader.TokenStartIndex}.");
        }
    }

    private void WriteObject(ref Utf8JsonReader reader, byte[][]? excludedNames)
    {
        WriteByte((byte)'{');
        var bodyStart = _length;
        var entryBase = _entryCount;
        var namesBase = _namesLength;
        var inOrder = true;
        while (reader.Read() && reader.TokenType != JsonTokenType.EndObject)
        {
            var nameOffset = _namesLength;
            var nameLength = CopyName(ref reader);
            var name = _names.AsSpan(nameOffset, nameLength);
            reader.Read();
            if (excludedNames is not null && IsExcluded(name, excludedNames))
            {
                reader.Skip();
                _namesLength = nameOffset;
                continue;
            }
            if (_entryCount > entryBase)
            {
                ref var previous = ref _entries[_entryCount - 1];
                if (inOrder && _names.AsSpan(previous.NameOffset, previous.NameLength).SequenceCompareTo(name) >= 0)
                {
                    inOrder = false; // out of order or a duplicate: rewrite when the object closes
                }
                WriteByte((byte)',');
            }
            var entryStart = _length;
            WriteEscapedString(name);
            WriteByte((byte)':');
            WriteValue(ref reader, null);
            AddEntry(new PropertyEntry(nameOffset, nameLength, entryStart - bodyStart, _length - entryStart, _entryCount - entryBase));
        }
        if (!inOrder)
        {
            RewriteSorted(bodyStart, entryBase);
        }
        _entryCount = entryBase;
        _namesLength = namesBase;
        WriteByte((byte)'}');
    }

    /// <summary>Rewrites the object body from a scratch copy in key order; for a repeated key the last one wins.</summary>
    private void RewriteSorted(int bodyStart, int entryBase)
    {
        var bodyLength = _length - bodyStart;
        if (_scratch.Length < bodyLength)
        {
            _scratch = new byte[Math.Max(bodyLength, _scratch.Length * 2)];
        }
        _output.AsSpan(bodyStart, bodyLength).CopyTo(_scratch);
        var entries = _entries.AsSpan(entryBase, _entryCount - entryBase);
        entries.Sort(new EntryComparer(_names));
        _length = bodyStart;
        var wroteAny = false;
        for (var i = 0; i < entries.Length; i++)
        {
            ref var entry = ref entries[i];
            if (i + 1 < entries.Length && NameOf(entries[i + 1]).SequenceEqual(NameOf(entry)))
            {
                continue; // a later occurrence of the same key follows (sorted by name, then input order)
            }
            if (wroteAny)
            {
                WriteByte((byte)',');
            }
            WriteBytes(_scratch.AsSpan(entry.Offset, entry.Length));
            wroteAny = true;
        }
    }

    private ReadOnlySpan<byte> NameOf(in PropertyEntry entry) => _names.AsSpan(entry.NameOffset, entry.NameLength);

    private int CopyName(ref Utf8JsonReader reader)
    {
        if (!reader.ValueIsEscaped)
        {
            var raw = reader.ValueSpan;
            EnsureNames(raw.Length);
            raw.CopyTo(_names.AsSpan(_namesLength));
            RequireUtf8(raw, reader.TokenStartIndex);
            _namesLength += raw.Length;
            return raw.Length;
        }
        EnsureNames(reader.ValueSpan.Length);
        var written = reader.CopyString(_names.AsSpan(_namesLength));
        _namesLength += written;
        return written;
    }

    private static bool IsExcluded(ReadOnlySpan<byte> name, byte[][] excludedNames)
    {
        foreach (var excluded in excludedNames)
        {
            if (name.SequenceEqual(excluded))
            {
                return true;
            }
        }
        return false;
    }

    private void WriteStringToken(ref Utf8JsonReader reader)
    {
        var raw = reader.ValueSpan;
        if (!reader.ValueIsEscaped)
        {
            // Unescaped JSON strings cannot hold '"', '\' or control characters: already canonical.
            RequireUtf8(raw, reader.TokenStartIndex);
            EnsureOutput(raw.Length + 2);
            _output[_length++] = (byte)'"';
            raw.CopyTo(_output.AsSpan(_length));
            _length += raw.Length;
            _output[_length++] = (byte)'"';
            return;
        }
        // Unescape into the names buffer's free tail (temporary), then escape minimally.
        EnsureNames(raw.Length);
        var written = reader.CopyString(_names.AsSpan(_namesLength));
        WriteEscapedString(_names.AsSpan(_namesLength, written));
    }

    private static void RequireUtf8(ReadOnlySpan<byte> raw, long position)
    {
        if (!Utf8.IsValid(raw))
        {
            throw new InvalidDataException($"The document has a string with invalid UTF-8 near byte {position}.");
        }
    }

    /// <summary>Writes "…" escaping only '"', '\' and U+0000..U+001F (as \b \t \n \f \r or \u00xx), everything else as raw UTF-8.</summary>
    private void WriteEscapedString(ReadOnlySpan<byte> value)
    {
        EnsureOutput(value.Length + 2);
        _output[_length++] = (byte)'"';
        while (true)
        {
            var next = value.IndexOfAny(BytesToEscape);
            var plain = next < 0 ? value : value[..next];
            WriteBytes(plain);
            if (next < 0)
            {
                break;
            }
            var b = value[next];
            switch (b)
            {
                case (byte)'"': WriteBytes("\\\""u8); break;
                case (byte)'\\': WriteBytes("\\\\"u8); break;
                case (byte)'\b': WriteBytes("\\b"u8); break;
                case (byte)'\t': WriteBytes("\\t"u8); break;
                case (byte)'\n': WriteBytes("\\n"u8); break;
                case (byte)'\f': WriteBytes("\\f"u8); break;
                case (byte)'\r': WriteBytes("\\r"u8); break;
                default:
                    EnsureOutput(6);
                    "\\u00"u8.CopyTo(_output.AsSpan(_length));
                    _output[_length + 4] = HexDigit(b >> 4);
                    _output[_length + 5] = HexDigit(b & 0xF);
                    _length += 6;
                    break;
            }
            value = value[(next + 1)..];
        }
        WriteByte((byte)'"');
    }

    private void WriteNumber(ReadOnlySpan<byte> literal)
    {
        if (IsCanonicalIntegerLiteral(literal))
        {
            WriteBytes(literal);
            return;
        }
        EnsureOutput(32);
        var destination = _output.AsSpan(_length);
        int written;
        if (literal.IndexOfAny((byte)'.', (byte)'e', (byte)'E') < 0
            && long.TryParse(literal, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var integer))
        {
            integer.TryFormat(destination, out written, default, CultureInfo.InvariantCulture); // "-0" becomes "0"
            _length += written;
            return;
        }
        if (!double.TryParse(literal, NumberStyles.Float, CultureInfo.InvariantCulture, out var number) || !double.IsFinite(number))
        {
            // Beyond double's range: keep the literal (deterministic, and no data is refused for it).
            WriteBytes(literal);
            return;
        }
        if (number == Math.Floor(number) && Math.Abs(number) < MaxExactInteger)
        {
            ((long)number).TryFormat(destination, out written, default, CultureInfo.InvariantCulture);
        }
        else
        {
            number.TryFormat(destination, out written, "R", CultureInfo.InvariantCulture);
        }
        _length += written;
    }

    /// <summary>True for "0", "7", "-12"… with at most 18 digits: fits a long and is already canonical.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static bool IsCanonicalIntegerLiteral(ReadOnlySpan<byte> literal)
    {
        var digits = literal.Length > 0 && literal[0] == (byte)'-' ? literal[1..] : literal;
        if (digits.Length is 0 or > 18 || (digits.Length != literal.Length && digits is [(byte)'0']))
        {
            return false; // empty, possibly out of range, or "-0"
        }
        return !digits.ContainsAnyExceptInRange((byte)'0', (byte)'9');
    }

    private void AddEntry(PropertyEntry entry)
    {
        if (_entryCount == _entries.Length)
        {
            Array.Resize(ref _entries, _entries.Length * 2);
        }
        _entries[_entryCount++] = entry;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private void WriteByte(byte value)
    {
        EnsureOutput(1);
        _output[_length++] = value;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private void WriteBytes(ReadOnlySpan<byte> value)
    {
        EnsureOutput(value.Length);
        value.CopyTo(_output.AsSpan(_length));
        _length += value.Length;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private void EnsureOutput(int extra)
    {
        if (_length + extra > _output.Length)
        {
            Array.Resize(ref _output, Math.Max(_length + extra, _output.Length * 2));
        }
    }

    private void EnsureNames(int extra)
    {
        if (_namesLength + extra > _names.Length)
        {
            Array.Resize(ref _names, Math.Max(_namesLength + extra, _names.Length * 2));
        }
    }

    private static byte HexDigit(int value) => (byte)(value < 10 ? '0' + value : 'a' + value - 10);

    private static byte[] CreateEscapeSet()
    {
        var set = new List<byte> { (byte)'"', (byte)'\\' };
        for (var b = 0; b < 0x20; b++)
        {
            set.Add((byte)b);
        }
        return [.. set];
    }

    /// <summary>A property of the object being written: its unescaped name, its "name":value bytes relative to the body start, and its input index.</summary>
    private readonly record struct PropertyEntry(int NameOffset, int NameLength, int Offset, int Length, int Index);

    private readonly struct EntryComparer(byte[] names) : IComparer<PropertyEntry>
    {
        public int Compare(PropertyEntry x, PropertyEntry y)
        {
            var byName = names.AsSpan(x.NameOffset, x.NameLength).SequenceCompareTo(names.AsSpan(y.NameOffset, y.NameLength));
            return byName != 0 ? byName : x.Index.CompareTo(y.Index);
        }
    }
}
