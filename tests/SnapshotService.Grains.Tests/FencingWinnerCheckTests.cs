using System.Net;
using SnapshotService.Log;

namespace SnapshotService.Grains.Tests;

/// <summary>When a fenced activation may take over at once: only on proof that the writer that fenced it is gone.</summary>
public sealed class FencingWinnerCheckTests
{
    private static readonly SiloAddress Silo = SiloAddress.New(new IPEndPoint(IPAddress.Loopback, 11111), 42);
    private static readonly DateTimeOffset T0 = new(2026, 12, 7, 12, 0, 0, TimeSpan.Zero);

    [Fact]
    public void a_writer_that_recorded_its_retirement_is_gone()
    {
        var writer = new WriterRecord("w1", Silo.ToParsableString(), T0, T0.AddSeconds(5), "deactivated (DuplicateActivation: This grain has been activated elsewhere)");

        var why = FencingWinnerCheck.WhyGone("w1", writer, _ => SiloStatus.Active);

        Assert.NotNull(why);
        Assert.Contains("stopped for good", why, StringComparison.Ordinal);
        Assert.Contains("DuplicateActivation", why, StringComparison.Ordinal);
    }

    [Fact]
    public void a_writer_on_a_silo_the_cluster_declared_dead_is_gone()
    {
        var writer = new WriterRecord("w1", Silo.ToParsableString(), T0, null, null);

        var why = FencingWinnerCheck.WhyGone("w1", writer, silo => silo.Equals(Silo) ? SiloStatus.Dead : SiloStatus.Active);

        Assert.NotNull(why);
        Assert.Contains("declared dead", why, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(SiloStatus.Active)]
    [InlineData(SiloStatus.ShuttingDown)] // still able to commit while it drains
    [InlineData(SiloStatus.Joining)]
    [InlineData(SiloStatus.None)] // not in this cluster's table: another cluster on the same store (split brain)
    public void a_writer_on_a_silo_not_declared_dead_is_not_proven_gone(SiloStatus status)
    {
        var writer = new WriterRecord("w1", Silo.ToParsableString(), T0, null, null);

        Assert.Null(FencingWinnerCheck.WhyGone("w1", writer, _ => status));
    }

    [Fact]
    public void a_writer_without_a_record_or_with_an_unreadable_host_is_not_proven_gone()
    {
        Assert.Null(FencingWinnerCheck.WhyGone("w1", null, _ => SiloStatus.Dead));
        Assert.Null(FencingWinnerCheck.WhyGone("w1", new WriterRecord("w1", "not-a-silo-address", T0, null, null), _ => SiloStatus.Dead));
        Assert.Null(FencingWinnerCheck.WhyGone("w1", new WriterRecord("w1", null, null, null, null), _ => SiloStatus.Dead));
    }

    [Theory]
    [InlineData(DeactivationReasonCode.DuplicateActivation, true)]
    [InlineData(DeactivationReasonCode.DirectoryFailure, true)]
    [InlineData(DeactivationReasonCode.ShuttingDown, false)]
    [InlineData(DeactivationReasonCode.ActivationIdle, false)]
    [InlineData(DeactivationReasonCode.Migrating, false)]
    [InlineData(DeactivationReasonCode.ApplicationRequested, false)]
    public void only_a_lost_registration_drops_the_uncommitted_batch_on_deactivation(DeactivationReasonCode code, bool drops)
    {
        Assert.Equal(drops, SourceGrain.AnotherActivationOwnsTheSource(code));
    }
}
