using MongoDB.Bson;

namespace SnapshotService.Sources.Mongo;

/// <summary>The three kinds of key this adapter writes for an <c>_id</c> (see <see cref="MongoKeys"/>).</summary>
public enum MongoKeyFamily
{
    /// <summary>An ObjectId, written as its 24 lowercase hex digits.</summary>
    ObjectId = 0,

    /// <summary>A string, written as itself (with the two escapes described on <see cref="MongoKeys"/>).</summary>
    String = 1,

    /// <summary>Any other value, written as <c>~</c> followed by its canonical Extended JSON.</summary>
    Other = 2,
}

/// <summary>
/// The export key of a MongoDB document: its <c>_id</c> rendered as a string, one-to-one, so keys
/// decode back to the exact <c>_id</c> for point reads, repairs and restores, and ordered so that
/// a key range maps to indexed <c>_id</c> ranges.
/// </summary>
/// <remarks>
/// <list type="bullet">
/// <item><b>ObjectId</b> → its 24 lowercase hex digits (<c>65a1…</c>). Ordinal order of the hex equals
/// the ObjectId byte order the server sorts by, so a key range maps to one indexed ObjectId range
/// (<see cref="HexCeiling"/>).</item>
/// <item><b>String</b> → the string itself. Two escapes keep it one-to-one without changing the order
/// among strings: a string that starts with <c>~</c> gets a second <c>~</c> in front (<c>~x</c> →
/// <c>~~x</c>), and a string that is 24 lowercase hex digits followed by zero or more NUL characters
/// gets one more NUL at the end (so it never reads as an ObjectId). Ordinal order of keys equals the
/// server's binary string order except between code points U+E000–U+FFFF and supplementary characters
/// (UTF-16 vs UTF-8 order), which keys in practice do not mix.</item>
/// <item><b>Anything else</b> (numbers, dates, UUIDs and other binary, embedded documents, booleans,
/// timestamps, null) → <c>~</c> + compact canonical Extended JSON of the value, e.g.
/// <c>~{"$numberInt":"42"}</c>. These keys have no index-friendly order: a scan whose range touches
/// them reads all of them and sorts them in memory (fine for thousands, slow for millions).</item>
/// </list>
/// Collections with a default collation other than simple binary are not supported for scans (their
/// <c>_id</c> index orders strings differently).
/// </remarks>
public static class MongoKeys
{
    /// <summary>The first character of every <see cref="MongoKeyFamily.Other"/> key (and of escaped strings, which start with two).</summary>
    public const char OtherPrefix = '~';

    /// <summary>The lowest key of the <see cref="MongoKeyFamily.Other"/> family, inclusive.</summary>
    public const string OtherFirst = "~";

    /// <summary>The key after every <see cref="MongoKeyFamily.Other"/> key (escaped strings start here).</summary>
    public const string OtherEnd = "~~";

    private const string Hex = "0123456789abcdef";

    /// <summary>The key of an <c>_id</c> value.</summary>
    public static string Encode(BsonValue id)
    {
        ArgumentNullException.ThrowIfNull(id);
        return id switch
        {
            BsonObjectId oid => oid.Value.ToString(),
            BsonString s => EncodeString(s.Value),
            _ => OtherPrefix + MongoJson.ValueToJson(id),
        };
    }

    /// <summary>The key of a string <c>_id</c>.</summary>
    public static string EncodeString(string value)
    {
        ArgumentNullException.ThrowIfNull(value);
        if (value.Length > 0 && value[0] == OtherPrefix)
        {
            return OtherPrefix + value;
        }
        return IsHexThenNuls(value) ? value + '\0' : value;
    }

    /// <summary>The <c>_id</c> value of a key this class encoded. Throws <see cref="FormatException"/> for a malformed <c>~</c> key.</summary>
    public static BsonValue Decode(string key)
    {
        ArgumentNullException.ThrowIfNull(key);
        if (IsObjectIdHex(key))
        {
            return new BsonObjectId(ObjectId.Parse(key));
        }
        if (key.Length > 0 && key[0] == OtherPrefix)
        {
            return key.Length > 1 && key[1] == OtherPrefix ? new BsonString(key[1..]) : MongoJson.ValueFromJson(key.AsSpan(1));
        }
        return new BsonString(key.Length > 24 && IsHexThenNuls(key) ? key[..^1] : key);
    }

    /// <summary>Which family a key belongs to.</summary>
    public static MongoKeyFamily FamilyOf(string key) =>
        IsObjectIdHex(key) ? MongoKeyFamily.ObjectId
        : key.Length > 0 && key[0] == OtherPrefix && (key.Length == 1 || key[1] != OtherPrefix) ? MongoKeyFamily.Other
        : MongoKeyFamily.String;

    /// <summary>True when <paramref name="value"/> is exactly 24 lowercase hex digits.</summary>
    public static bool IsObjectIdHex(string value) => value.Length == 24 && IsHexThenNuls(value);

    /// <summary>
    /// A string bound at or below every string whose key is at or after <paramref name="keyStart"/>
    /// (the server-side lower bound of a string range scan; the adapter filters the rest exactly).
    /// </summary>
    public static string StringLowerBound(string keyStart)
    {
        ArgumentNullException.ThrowIfNull(keyStart);
        if (keyStart.StartsWith(OtherEnd, StringComparison.Ordinal))
        {
            return keyStart[1..];
        }
        return keyStart.Length > 0 && keyStart[0] == OtherPrefix ? OtherFirst : keyStart.TrimEnd('\0');
    }

    /// <summary>
    /// A string bound above every string whose key is before <paramref name="keyEnd"/> (exclusive;
    /// the server-side upper bound of a string range scan).
    /// </summary>
    public static string StringUpperBound(string keyEnd)
    {
        ArgumentNullException.ThrowIfNull(keyEnd);
        if (keyEnd.StartsWith(OtherEnd, StringComparison.Ordinal))
        {
            return keyEnd[1..];
        }
        if (keyEnd.Length > 0 && keyEnd[0] == OtherPrefix)
        {
            // "~" + c with c below '~': escaped strings all sort after the bound; above: all before it.
            return keyEnd.Length == 1 || keyEnd[1] < OtherPrefix ? OtherFirst : "\u007f";
        }
        return keyEnd;
    }

    /// <summary>True when a key range can hold <see cref="MongoKeyFamily.Other"/> keys.</summary>
    public static bool TouchesOther(KeyRange range) => range.Overlaps(new KeyRange(OtherFirst, OtherEnd));

    private static bool IsHexThenNuls(string value)
    {
        if (value.Length < 24)
        {
            return false;
        }
        for (var i = 0; i < value.Length; i++)
        {
            if (i < 24 ? !IsHex(value[i]) : value[i] != '\0')
            {
                return false;
            }
        }
        return true;
    }

    /// <summary>The smallest key greater than <paramref name="key"/> in ordinal order (an exclusive bound made inclusive).</summary>
    public static string Successor(string key) => key + '\0';

    /// <summary>
    /// The smallest 24-lowercase-hex string that is ordinally at or after <paramref name="bound"/>,
    /// or null when there is none. ObjectId keys in [a, b) are exactly the ObjectIds in
    /// [HexCeiling(a), HexCeiling(b)), which is how a key range becomes an indexed ObjectId range.
    /// </summary>
    public static string? HexCeiling(string bound)
    {
        ArgumentNullException.ThrowIfNull(bound);
        var limit = Math.Min(bound.Length, 24);
        for (var i = 0; i < limit; i++)
        {
            var c = bound[i];
            if (IsHex(c))
            {
                continue;
            }
            var next = NextHexAbove(c);
            return next is { } h
                ? string.Concat(bound.AsSpan(0, i), h.ToString(), new string('0', 23 - i))
                : Increment(bound[..i]);
        }
        return bound.Length <= 24 ? bound + new string('0', 24 - bound.Length) : Increment(bound[..24]);
    }

    private static bool IsHex(char c) => c is (>= '0' and <= '9') or (>= 'a' and <= 'f');

    private static char? NextHexAbove(char c)
    {
        foreach (var h in Hex)
        {
            if (h > c)
            {
                return h;
            }
        }
        return null;
    }

    /// <summary>The smallest 24-hex string whose first <c>prefix.Length</c> characters are greater than <paramref name="prefix"/> (all hex).</summary>
    private static string? Increment(string prefix)
    {
        for (var j = prefix.Length - 1; j >= 0; j--)
        {
            if (prefix[j] != 'f')
            {
                return string.Concat(prefix.AsSpan(0, j), NextHexAbove(prefix[j])!.Value.ToString(), new string('0', 23 - j));
            }
        }
        return null;
    }
}
