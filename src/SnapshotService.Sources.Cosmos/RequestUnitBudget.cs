using System.Diagnostics;

namespace SnapshotService.Sources.Cosmos;

/// <summary>
/// Keeps reconciliation scans and point reads under MaxRequestUnitsPerSecond: every response's
/// request charge is paid from a bucket refilled at that rate (one second of burst); when the
/// bucket is in debt the next request waits. Capture is not budgeted (it must keep up).
/// </summary>
internal sealed class RequestUnitBudget(double rate)
{
    private readonly double _rate = rate;
    private readonly Lock _gate = new();
    private readonly Stopwatch _clock = Stopwatch.StartNew();
    private double _balance = rate;
    private TimeSpan _last = TimeSpan.Zero;

    /// <summary>Total request units charged through this budget.</summary>
    public double Charged { get; private set; }

    /// <summary>Records <paramref name="requestCharge"/> and waits while the bucket is in debt.</summary>
    public async ValueTask PayAsync(double requestCharge, CancellationToken cancellationToken)
    {
        TimeSpan wait;
        lock (_gate)
        {
            Charged += requestCharge;
            if (_rate <= 0)
            {
                return;
            }
            var now = _clock.Elapsed;
            _balance = Math.Min(_rate, _balance + ((now - _last).TotalSeconds * _rate));
            _last = now;
            _balance -= requestCharge;
            wait = _balance >= 0 ? TimeSpan.Zero : TimeSpan.FromSeconds(-_balance / _rate);
        }
        if (wait > TimeSpan.Zero)
        {
            await Task.Delay(wait, cancellationToken).ConfigureAwait(false);
        }
    }
}
