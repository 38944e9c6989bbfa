using SnapshotService.Errors;
using SnapshotService.Log;
using SnapshotService.Simulated;

namespace SnapshotService.Grains.Tests;

[Collection(ClusterCollection.Name)]
public sealed class SourceGrainTests(ClusterFixture fixture)
{
    private ISourceGrain Grain(string id) => fixture.Cluster.GrainFactory.GetGrain<ISourceGrain>(id);

    [Fact]
    public async Task a_started_source_commits_a_growing_sequence()
    {
        var grain = Grain("sim-grows");
        var first = await grain.EnsureStartedAsync();
        Assert.Equal(SourceState.Running, first.State);
        Assert.Equal("simulated", first.Kind);

        var later = await grain.WaitUntilAsync(s => s.CommittedSeq > 200 && s.CommitCount >= 3);
        Assert.True(later.CommitCount > 0);
        Assert.NotNull(later.LastCommitTime);
        Assert.Contains("deterministic", later.Description, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task a_running_source_keeps_a_live_state_checkpoint_in_the_background()
    {
        var grain = Grain("sim-state");
        await grain.WaitUntilAsync(s => s.CommittedSeq > 500);

        var reader = new State.LiveStateReader(fixture.Store, "sim-state");
        var deadline = DateTime.UtcNow.AddSeconds(30);
        State.LiveStateManifest? manifest;
        while ((manifest = await reader.ReadLatestManifestAsync(default)) is null && DateTime.UtcNow < deadline)
        {
            await Task.Delay(200);
        }

        Assert.NotNull(manifest);
        Assert.True(manifest.LastSeq > 0);
        Assert.True(manifest.Count > 0);
        Assert.Equal(SourceState.Running, (await grain.GetStatusAsync()).State);
    }

    [Fact]
    public async Task pause_stops_capture_and_survives_reactivation_until_resume()
    {
        var grain = Grain("sim-pause");
        await grain.WaitUntilAsync(s => s.CommittedSeq > 50);

        var paused = await grain.PauseAsync();
        Assert.Equal(SourceState.Paused, paused.State);
        await Task.Delay(300);
        Assert.Equal(paused.CommittedSeq, (await grain.GetStatusAsync()).CommittedSeq);

        // A new activation reads the pause flag from the export store and stays paused.
        await fixture.Cluster.Client.GetGrain<IManagementGrain>(0).ForceActivationCollection(TimeSpan.Zero);
        var reactivated = await grain.EnsureStartedAsync();
        Assert.Equal(SourceState.Paused, reactivated.State);

        var resumed = await grain.ResumeAsync();
        Assert.Equal(SourceState.Running, resumed.State);
        await grain.WaitUntilAsync(s => s.CommittedSeq > paused.CommittedSeq);
    }

    [Fact]
    public async Task a_latest_snapshot_is_flushed_first_and_never_points_past_the_committed_seq()
    {
        var grain = Grain("sim-anchor");
        await grain.WaitUntilAsync(s => s.CommittedSeq > 20);

        var anchor = await grain.CreateSnapshotAsync(new CreateSnapshotCommand("nightly", null, null));
        var status = await grain.GetStatusAsync();

        Assert.InRange(anchor.Seq, 1, status.CommittedSeq);
        Assert.Equal("nightly", anchor.Label);
        Assert.Equal("sim-anchor", anchor.SourceId);
        var reader = new ExportLogReader(fixture.Store, "sim-anchor");
        var commit = await reader.FindCommitContainingSeqAsync(anchor.Seq, await reader.ReadHeadAsync(default), default);
        Assert.NotNull(commit);
    }

    [Fact]
    public async Task a_latest_snapshot_of_a_source_with_a_consistent_cut_waits_until_capture_has_passed_it()
    {
        const string SourceId = "sim-cut-anchor";
        var grain = Grain(SourceId);
        await grain.WaitUntilAsync(s => s.CommittedSeq > 20);

        var anchor = await grain.CreateSnapshotAsync(new CreateSnapshotCommand(null, null, null));

        // The cut was taken for this request beyond anything committed then (CutSource.AheadBy), so
        // an anchor that covers it is one the grain waited for capture to reach.
        var cut = CutSource.LastCutOf(SourceId);
        Assert.NotNull(cut);
        Assert.True(new SimulatedSource(SourceId, TestSources.Options).TryGetUnderlyingPosition(anchor.Position, out var covered), $"anchor position {anchor.Position} is not a simulated position");
        Assert.True(covered >= cut, $"the anchor at seq {anchor.Seq} covers {covered} source changes, short of the consistent cut at {cut} taken when it was requested");
        Assert.InRange(anchor.Seq, 1, (await grain.GetStatusAsync()).CommittedSeq);
    }

    [Fact]
    public async Task a_latest_snapshot_whose_cut_is_never_passed_fails_precondition_after_the_timeout()
    {
        var grain = Grain("sim-nocut-anchor");
        await grain.WaitUntilAsync(s => s.CommittedSeq > 0);

        var error = await Assert.ThrowsAsync<SnapshotServiceException>(() => grain.CreateSnapshotAsync(new CreateSnapshotCommand(null, null, null)));

        Assert.Equal(ErrorKind.FailedPrecondition, error.Kind);
        Assert.Contains("has not passed the consistent cut", error.Message, StringComparison.Ordinal);
        var pinned = await grain.CreateSnapshotAsync(new CreateSnapshotCommand(null, 1, null));
        Assert.Equal(1, pinned.Seq);
    }

    [Fact]
    public async Task an_anchor_beyond_the_committed_seq_is_refused_naming_the_field()
    {
        var grain = Grain("sim-refuse");
        var status = await grain.WaitUntilAsync(s => s.CommittedSeq > 0);

        var error = await Assert.ThrowsAsync<SnapshotServiceException>(() =>
            grain.CreateSnapshotAsync(new CreateSnapshotCommand(null, status.CommittedSeq + 1_000_000, null)));
        Assert.Equal(ErrorKind.InvalidArgument, error.Kind);
        Assert.Contains("at_sequence", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task an_unconfigured_source_is_not_found()
    {
        var grain = Grain("not-configured");
        var error = await Assert.ThrowsAsync<SnapshotServiceException>(() => grain.PauseAsync());
        Assert.Equal(ErrorKind.NotFound, error.Kind);
        Assert.Equal(SourceState.Failed, (await grain.GetStatusAsync()).State);
    }

    [Fact]
    public async Task a_second_writer_that_wins_a_commit_fences_the_grain_off()
    {
        var grain = Grain("sim-fenced");
        await grain.WaitUntilAsync(s => s.CommittedSeq > 10);

        // Another process opens the same log and commits: the grain's next commit loses the race.
        // (The intruder may itself lose a race against the grain at first; it then reopens, as a real one would.)
        for (var i = 0; i < 50; i++)
        {
            try
            {
                var intruder = await ExportLog.OpenAsync(fixture.Store, "sim-fenced", new ExportLogOptions { WriterId = "intruder" }, default);
                await intruder.AppendAsync([], new Sources.SourcePosition($"intruder:{i}"), default);
            }
            catch (LogFencedException)
            {
            }
        }

        var failed = await grain.WaitUntilAsync(s => s.State == SourceState.Failed);
        Assert.Contains("fenced", failed.FailureReason, StringComparison.Ordinal);
        Assert.Contains("intruder", failed.FailureReason, StringComparison.Ordinal);
        var report = await grain.VerifyLogAsync();
        Assert.True(report.Ok, string.Join("; ", report.Problems));
    }

    [Fact]
    public async Task capture_that_failed_on_a_source_outage_restarts_by_itself_once_the_source_is_back()
    {
        const string id = "sim-flaky-outage";
        var grain = Grain(id);
        await grain.WaitUntilAsync(s => s.CommittedSeq > 100);

        FlakySource.Down[id] = true;
        var failed = await grain.WaitUntilAsync(s => s.State == SourceState.Failed);
        Assert.Contains("unreachable (test outage)", failed.FailureReason, StringComparison.Ordinal);
        // While the source stays down, the restarts fail again and the reason stays visible.
        await grain.WaitUntilAsync(s => s.RecentEvents.Any(e => e.Kind == "capture_restarted"));
        Assert.Equal(SourceState.Failed, (await grain.WaitUntilAsync(s => s.State == SourceState.Failed)).State);

        FlakySource.Down.TryRemove(id, out _);
        var resumed = await grain.WaitUntilAsync(s => s.State == SourceState.Running && s.CommittedSeq > failed.CommittedSeq + 100);
        Assert.Null(resumed.FailureReason);
        var report = await grain.VerifyLogAsync();
        Assert.True(report.Ok, string.Join("; ", report.Problems));
    }
}
