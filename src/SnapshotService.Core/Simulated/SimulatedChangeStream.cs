using SnapshotService.Sources;

namespace SnapshotService.Simulated;

/// <summary>
/// Walks the emitted stream of a <see cref="SimulatedHistory"/> (the underlying history after the
/// fault knobs). Pure apart from a cache of the current window's shuffle; one reader at a time.
/// </summary>
/// <remarks>
/// The emitted stream, window by window (windows of ReorderWindow underlying changes, the last one
/// possibly shorter): for j = 0..size-1, take the change at the window's shuffled index j; emit it
/// unless it is dropped; then emit it once more if it is duplicated. Without faults this is simply
/// changes 1, 2, 3, ….
/// </remarks>
internal sealed class SimulatedChangeStream
{
    private readonly SimulatedHistory _history;
    private readonly bool _plain;
    private long _orderFor = -1;
    private int[] _order = [];

    public SimulatedChangeStream(SimulatedHistory history)
    {
        _history = history;
        _plain = !history.HasFaults;
    }

    /// <summary>
    /// Appends up to <paramref name="maxChanges"/> emitted changes after <paramref name="from"/> to
    /// <paramref name="into"/>, reading only windows whose underlying changes are all ≤
    /// <paramref name="available"/>, and passing at most <paramref name="maxSlots"/> emission slots
    /// (so a stream that drops almost everything still returns promptly). Returns the position
    /// right after the last slot passed.
    /// </summary>
    public SimulatedPosition Read(SimulatedPosition from, int maxChanges, long available, int maxSlots, List<SourceChange> into, DocumentArena arena)
    {
        var consumed = from.Consumed;
        var slot = from.Slot;
        var emitted = 0;
        var passed = 0;
        while (emitted < maxChanges && passed < maxSlots && consumed < _history.Length)
        {
            var size = _history.WindowSizeAt(consumed);
            if (consumed + size > available)
            {
                break;
            }
            if (_plain)
            {
                into.Add(_history.ChangeAt(consumed + 1, arena));
                consumed++;
                emitted++;
                passed++;
                continue;
            }
            var order = OrderOf(consumed);
            while (slot < 2 * size && emitted < maxChanges && passed < maxSlots)
            {
                var n = consumed + 1 + order[slot >> 1];
                var isDuplicateSlot = (slot & 1) == 1;
                slot++;
                passed++;
                if (_history.IsDropped(n) || (isDuplicateSlot && !_history.IsDuplicated(n)))
                {
                    continue;
                }
                // The duplicate is the very same change; reuse it when its original is in this batch.
                into.Add(isDuplicateSlot && into.Count > 0 && into[^1].SourceVersion == n ? into[^1] : _history.ChangeAt(n, arena));
                emitted++;
            }
            if (slot == 2 * size)
            {
                consumed += size;
                slot = 0;
            }
        }
        return new SimulatedPosition(consumed, slot);
    }

    /// <summary>Checks that <paramref name="position"/> can exist in this stream; returns a reason when it cannot.</summary>
    public string? Check(SimulatedPosition position)
    {
        if (position.Consumed > _history.Length)
        {
            return $"the history has only {_history.Length} changes (Simulated:MaxChanges)";
        }
        if (position.Consumed != _history.Length && position.Consumed % _history.ReorderWindow != 0)
        {
            return $"{position.Consumed} is not a multiple of the reorder window {_history.ReorderWindow} (Simulated:Faults:ReorderWindow)";
        }
        if (position.Slot != 0 && !_history.HasFaults)
        {
            return "mid-window positions only exist when fault knobs are set (Simulated:Faults)";
        }
        if (position.Slot != 0 && position.Slot >= 2 * _history.WindowSizeAt(position.Consumed))
        {
            return $"slot {position.Slot} does not exist in a window of {_history.WindowSizeAt(position.Consumed)} changes";
        }
        return null;
    }

    private int[] OrderOf(long consumed)
    {
        if (_orderFor != consumed)
        {
            _order = _history.WindowOrder(consumed);
            _orderFor = consumed;
        }
        return _order;
    }
}
