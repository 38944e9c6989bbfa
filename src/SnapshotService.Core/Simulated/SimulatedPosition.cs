using System.Globalization;
using SnapshotService.Errors;
using SnapshotService.Sources;

namespace SnapshotService.Simulated;

/// <summary>
/// A place in the simulated source's emitted stream, carried in <see cref="SourcePosition.Token"/>
/// as <c>sim:{n}</c> or <c>sim:{n}.{slot}</c>.
/// </summary>
/// <remarks>
/// <para><c>n</c> counts the underlying changes in the reorder windows already emitted completely;
/// it is always a multiple of the reorder window (or the end of a capped history). Without faults
/// it is simply the number of changes read, and the token is <c>sim:{n}</c>.</para>
/// <para><c>slot</c> (only with faults, only mid-window) counts the emission slots of the next
/// window already passed: the change at shuffled index j of a window owns slots 2j (its emission)
/// and 2j+1 (its duplicate), either of which may be empty. A token therefore pins down a place
/// between two emitted changes exactly, which is what makes a resume neither lose nor repeat one.</para>
/// </remarks>
/// <param name="Consumed">Underlying changes in completely emitted windows (<c>n</c>).</param>
/// <param name="Slot">Emission slots passed in the next window (0 at a window boundary).</param>
internal readonly record struct SimulatedPosition(long Consumed, int Slot)
{
    public const string Prefix = "sim:";

    public static SimulatedPosition Start { get; } = new(0, 0);

    public SourcePosition ToSourcePosition() =>
        Consumed == 0 && Slot == 0
            ? SourcePosition.Start
            : new SourcePosition(Slot == 0
                ? string.Create(CultureInfo.InvariantCulture, $"{Prefix}{Consumed}")
                : string.Create(CultureInfo.InvariantCulture, $"{Prefix}{Consumed}.{Slot}"));

    /// <summary>Parses a token produced by <see cref="ToSourcePosition"/>; refuses anything else with a message naming the source.</summary>
    public static SimulatedPosition Parse(string sourceId, SourcePosition position)
    {
        if (position.IsStart)
        {
            return Start;
        }
        var token = position.Token.AsSpan();
        if (!token.StartsWith(Prefix, StringComparison.Ordinal))
        {
            throw Refuse(sourceId, position, "it was not produced by a simulated source (expected 'sim:{n}' or 'sim:{n}.{slot}')");
        }
        token = token[Prefix.Length..];
        var dot = token.IndexOf('.');
        var consumedText = dot < 0 ? token : token[..dot];
        if (!long.TryParse(consumedText, NumberStyles.None, CultureInfo.InvariantCulture, out var consumed))
        {
            throw Refuse(sourceId, position, "its change count is not a non-negative integer");
        }
        var slot = 0;
        if (dot >= 0 && (!int.TryParse(token[(dot + 1)..], NumberStyles.None, CultureInfo.InvariantCulture, out slot) || slot == 0))
        {
            throw Refuse(sourceId, position, "its slot is not a positive integer");
        }
        return new SimulatedPosition(consumed, slot);
    }

    public static SnapshotServiceException Refuse(string sourceId, SourcePosition position, string why) =>
        SnapshotServiceException.FailedPrecondition(
            $"Source '{sourceId}': cannot resume from position '{position}': {why}. " +
            "If the source's Simulated settings changed since this position was committed, restore them or start a new source id.");
}
