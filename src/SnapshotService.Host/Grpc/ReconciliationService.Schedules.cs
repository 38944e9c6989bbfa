using Grpc.Core;
using SnapshotService.Grains;
using V1 = SnapshotService.Api.V1;

namespace SnapshotService.Host.Grpc;

/// <summary>
/// The schedule methods of snapshotservice.v1.Reconciliation. They go through the source's
/// schedule grain, which owns the schedules' files and timers, so a change takes effect at once.
/// </summary>
internal sealed partial class ReconciliationService
{
    public override async Task<V1.ListSchedulesResponse> ListSchedules(V1.ListSchedulesRequest request, ServerCallContext context)
    {
        var sourceId = catalog.RequireConfigured(request.SourceId);
        var schedules = await grains.GetGrain<IReconciliationScheduleGrain>(sourceId).ListAsync();
        var response = new V1.ListSchedulesResponse();
        response.Schedules.AddRange(schedules.Select(s => s.ToApi()));
        return response;
    }

    public override async Task<V1.Schedule> SetSchedule(V1.SetScheduleRequest request, ServerCallContext context)
    {
        var sourceId = catalog.RequireConfigured(request.SourceId);
        var command = ScheduleMapping.ToCommand(request, sourceId);
        var schedule = await grains.GetGrain<IReconciliationScheduleGrain>(sourceId).SetAsync(command);
        return schedule.ToApi();
    }

    public override async Task<V1.DeleteScheduleResponse> DeleteSchedule(V1.DeleteScheduleRequest request, ServerCallContext context)
    {
        var sourceId = catalog.RequireConfigured(request.SourceId);
        var scheduleId = ScheduleMapping.RequireScheduleId(request.ScheduleId);
        await grains.GetGrain<IReconciliationScheduleGrain>(sourceId).DeleteAsync(scheduleId);
        return new V1.DeleteScheduleResponse();
    }
}
