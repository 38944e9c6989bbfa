using System.Text;

namespace SnapshotService.Simulated;

/// <summary>
/// Writes the simulated documents straight into a caller's buffer, already in the canonical JSON
/// form the content hash uses (top-level keys in ordinal order, no whitespace between tokens,
/// plain integers, ASCII strings that need no escaping), so hashing them costs no re-encoding:
/// <code>{"id":"k0042","n":42,"name":"amber falcon","payload":"…","tags":["blue","red"],"version":12345}</code>
/// <c>n</c> is the key number, <c>version</c> the change position that wrote the document. The
/// payload is words from a fixed 64-word list, so segments compress roughly like real text-heavy
/// JSON rather than like random bytes (which would make compression, not capture, the benchmark).
/// </summary>
internal sealed class SimulatedDocumentWriter
{
    private static readonly byte[][] FillerWords = Words(
        "alpha beta gamma delta omega river stone cloud forest meadow harbor signal vector matrix " +
        "engine buffer packet stream window ledger record column shard replica quorum beacon cobalt " +
        "copper silver amber velvet lantern orbit comet nebula quartz prism canyon glacier tundra " +
        "savanna lagoon reef atoll summit valley ridge falcon heron otter badger lynx maple cedar " +
        "willow birch aspen juniper thistle clover saffron ginger pepper pine");

    private static readonly byte[][] NameFirst = Words(
        "amber azure bold brisk calm clever crimson dusty eager faint gentle golden hollow icy jolly keen " +
        "lively mellow misty noble olive plain quiet rapid rustic silent steady swift tidy urban vivid witty");

    private static readonly byte[][] NameSecond = Words(
        "anchor badger bison cactus dune eagle falcon fern garnet harbor heron iris jaguar kestrel lagoon " +
        "lantern marble meadow nectar orchid otter pebble quill raven sparrow thicket tulip umber walrus wren yarrow zephyr");

    private static readonly byte[][] TagWords = Words(
        "red orange yellow green blue indigo violet black white grey new sale hot cold fragile bulk");

    private static readonly byte[] IdOpen = "{\"id\":\"k"u8.ToArray();
    private static readonly byte[] NumberField = "\",\"n\":"u8.ToArray();
    private static readonly byte[] NameField = ",\"name\":\""u8.ToArray();
    private static readonly byte[] PayloadField = "\",\"payload\":\""u8.ToArray();
    private static readonly byte[] TagsField = "\",\"tags\":["u8.ToArray();
    private static readonly byte[] VersionField = "],\"version\":"u8.ToArray();
    private static readonly byte[] ChangedVersionField = "],\"v2\":true,\"version\":\""u8.ToArray();

    private static readonly int FixedBytes =
        IdOpen.Length + NumberField.Length + NameField.Length + PayloadField.Length + TagsField.Length + VersionField.Length + 1;

    private readonly int _keyWidth;
    private readonly int _targetBytes;
    private readonly ulong _documentStream;
    private readonly long _schemaChangeAfter;
    private readonly int _poisonPerMille;

    /// <param name="seed">The source's seed.</param>
    /// <param name="keyWidth">Digits of the key number.</param>
    /// <param name="targetBytes">The document size to pad to.</param>
    /// <param name="schemaChangeAfter">Changes after this one write the new shape (0 = never): <c>"v2":true</c> added, <c>version</c> a string.</param>
    /// <param name="poisonPerMille">Per mille of changes whose document is not valid JSON (its closing brace is a bracket).</param>
    public SimulatedDocumentWriter(long seed, int keyWidth, int targetBytes, long schemaChangeAfter = 0, int poisonPerMille = 0)
    {
        _keyWidth = keyWidth;
        _targetBytes = targetBytes;
        _documentStream = DeterministicMix.StreamSeed(seed, DeterministicMix.Stream.Document);
        _schemaChangeAfter = schemaChangeAfter;
        _poisonPerMille = poisonPerMille;
    }

    private bool NewShape(long n) => _schemaChangeAfter > 0 && n > _schemaChangeAfter;

    /// <summary>True when change <paramref name="n"/> writes a document that is not valid JSON.</summary>
    public bool IsPoison(long n) => _poisonPerMille > 0 && (long)(DeterministicMix.At(~_documentStream, (ulong)n) % 1000) < _poisonPerMille;

    /// <summary>The exact length of the document change <paramref name="n"/> writes for key <paramref name="keyNumber"/>.</summary>
    public int LengthOf(long n, int keyNumber)
    {
        var layout = new Layout(DeterministicMix.At(_documentStream, (ulong)n));
        var fields = FixedBytes + _keyWidth + DigitCount((ulong)keyNumber) + layout.NameLength + layout.TagsLength + DigitCount((ulong)n) + ShapeBytes(n);
        return Math.Max(_targetBytes, fields);
    }

    /// <summary>Writes the document into <paramref name="destination"/>, which must be exactly <see cref="LengthOf"/> long.</summary>
    public void Write(long n, int keyNumber, Span<byte> destination)
    {
        var draw = DeterministicMix.At(_documentStream, (ulong)n);
        var layout = new Layout(draw);
        var keyDigits = DigitCount((ulong)keyNumber);
        var versionDigits = DigitCount((ulong)n);
        var fields = FixedBytes + _keyWidth + keyDigits + layout.NameLength + layout.TagsLength + versionDigits + ShapeBytes(n);
        var payloadLength = destination.Length - fields;
        if (payloadLength < 0)
        {
            throw new ArgumentException($"Destination is {destination.Length} bytes; the document needs at least {fields}.", nameof(destination));
        }

        var at = 0;
        Put(destination, ref at, IdOpen);
        WritePadded(destination.Slice(at, _keyWidth), (ulong)keyNumber);
        at += _keyWidth;
        Put(destination, ref at, NumberField);
        WriteDigits(destination.Slice(at, keyDigits), (ulong)keyNumber);
        at += keyDigits;
        Put(destination, ref at, NameField);
        Put(destination, ref at, NameFirst[layout.First]);
        destination[at++] = (byte)' ';
        Put(destination, ref at, NameSecond[layout.Second]);
        Put(destination, ref at, PayloadField);
        WriteFiller(destination.Slice(at, payloadLength), draw);
        at += payloadLength;
        Put(destination, ref at, TagsField);
        for (var i = 0; i < layout.TagCount; i++)
        {
            if (i > 0)
            {
                destination[at++] = (byte)',';
            }
            destination[at++] = (byte)'"';
            Put(destination, ref at, TagWords[layout.Tag(i)]);
            destination[at++] = (byte)'"';
        }
        Put(destination, ref at, NewShape(n) ? ChangedVersionField : VersionField);
        WriteDigits(destination.Slice(at, versionDigits), (ulong)n);
        at += versionDigits;
        if (NewShape(n))
        {
            destination[at++] = (byte)'"';
        }
        destination[at] = IsPoison(n) ? (byte)']' : (byte)'}';
    }

    // The new shape adds "v2":true, and quotes the version.
    private int ShapeBytes(long n) => NewShape(n) ? ChangedVersionField.Length - VersionField.Length + 1 : 0;

    /// <summary>Writes the key's id (<c>k</c> + zero-padded number) as a string.</summary>
    public static string FormatKey(int keyNumber, int keyWidth) =>
        string.Create(keyWidth + 1, keyNumber, static (chars, number) =>
        {
            chars[0] = 'k';
            var value = (uint)number;
            for (var i = chars.Length - 1; i >= 1; i--)
            {
                chars[i] = (char)('0' + (value % 10));
                value /= 10;
            }
        });

    public static int DigitCount(ulong value)
    {
        var digits = 1;
        while (value >= 10)
        {
            value /= 10;
            digits++;
        }
        return digits;
    }

    private static void Put(Span<byte> destination, ref int at, byte[] bytes)
    {
        bytes.CopyTo(destination[at..]);
        at += bytes.Length;
    }

    private static void WriteDigits(Span<byte> destination, ulong value)
    {
        for (var i = destination.Length - 1; i >= 0; i--)
        {
            destination[i] = (byte)('0' + (value % 10));
            value /= 10;
        }
    }

    private static void WritePadded(Span<byte> destination, ulong value) => WriteDigits(destination, value);

    /// <summary>Space-separated filler words, 10 words per 64-bit draw, cut at the exact length.</summary>
    private static void WriteFiller(Span<byte> destination, ulong draw)
    {
        var state = draw;
        var at = 0;
        while (at < destination.Length)
        {
            state += DeterministicMix.Gamma;
            var bits = DeterministicMix.Finalize(state);
            for (var w = 0; w < 10 && at < destination.Length; w++)
            {
                var word = FillerWords[(int)(bits & 63)];
                bits >>= 6;
                var take = Math.Min(word.Length, destination.Length - at);
                word.AsSpan(0, take).CopyTo(destination[at..]);
                at += take;
                if (at < destination.Length)
                {
                    destination[at++] = (byte)' ';
                }
            }
        }
    }

    private static byte[][] Words(string words) =>
        words.Split(' ', StringSplitOptions.RemoveEmptyEntries).Select(Encoding.ASCII.GetBytes).ToArray();

    /// <summary>The per-document choices (name words, tags) taken from the low bits of the document draw.</summary>
    private readonly struct Layout
    {
        private readonly ulong _bits;

        public Layout(ulong draw)
        {
            _bits = draw;
            First = (int)(draw & 31);
            Second = (int)((draw >> 5) & 31);
            TagCount = 1 + (int)((draw >> 10) % 3);
            var tagsLength = 0;
            for (var i = 0; i < TagCount; i++)
            {
                tagsLength += TagWords[Tag(i)].Length + 2;
            }
            TagsLength = tagsLength + TagCount - 1;
            NameLength = NameFirst[First].Length + 1 + NameSecond[Second].Length;
        }

        public int First { get; }

        public int Second { get; }

        public int TagCount { get; }

        public int TagsLength { get; }

        public int NameLength { get; }

        /// <summary>Tag i: 4 bits each from bit 12 on; tags may repeat, which JSON arrays allow.</summary>
        public int Tag(int i) => (int)((_bits >> (12 + (4 * i))) & 15);
    }
}
