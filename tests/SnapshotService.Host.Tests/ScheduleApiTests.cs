using System.Net;
using Grpc.Core;
using SnapshotService.Api.V1;

namespace SnapshotService.Host.Tests;

/// <summary>ListSchedules / SetSchedule / DeleteSchedule over gRPC and JSON/HTTP, including bad input.</summary>
[Collection(HostCollection.Name)]
public sealed class ScheduleApiTests(HostFixture host)
{
    private const string Id = HostFixture.SourceId;

    private static readonly TimeZoneInfo Berlin = TimeZoneInfo.FindSystemTimeZoneById("Europe/Berlin");

    [Fact]
    public async Task set_list_and_delete_round_trip_over_grpc()
    {
        var client = host.Reconciliation;
        var before = DateTimeOffset.UtcNow;

        var set = await client.SetScheduleAsync(new SetScheduleRequest
        {
            SourceId = Id,
            ScheduleId = "nightly-grpc",
            Schedule = new Schedule { Cron = "0 2 * * *", TimeZone = "Europe/Berlin", Mode = "full", RepairPolicy = "report_only" },
        });

        Assert.Equal(("nightly-grpc", Id, Schedule.TimingOneofCase.Cron, "0 2 * * *", "Europe/Berlin", "full", "report_only"),
            (set.ScheduleId, set.SourceId, set.TimingCase, set.Cron, set.TimeZone, set.Mode, set.RepairPolicy));
        var next = set.NextFireTime.ToDateTimeOffset();
        Assert.True(next > before && next <= before.AddDays(1).AddHours(1), $"next fire {next:o}");
        Assert.Equal(new TimeSpan(2, 0, 0), TimeZoneInfo.ConvertTime(next, Berlin).TimeOfDay);
        Assert.Equal("", set.LastOutcome);
        Assert.Null(set.LastFireTime);

        var listed = await client.ListSchedulesAsync(new ListSchedulesRequest { SourceId = Id });
        Assert.Contains(listed.Schedules, s => s.ScheduleId == "nightly-grpc" && s.Cron == "0 2 * * *" && s.NextFireTime == set.NextFireTime);

        await client.DeleteScheduleAsync(new DeleteScheduleRequest { SourceId = Id, ScheduleId = "nightly-grpc" });
        Assert.DoesNotContain((await client.ListSchedulesAsync(new ListSchedulesRequest { SourceId = Id })).Schedules, s => s.ScheduleId == "nightly-grpc");
        await RpcAssert.FailsAsync(StatusCode.NotFound, "schedule 'nightly-grpc'",
            async () => await client.DeleteScheduleAsync(new DeleteScheduleRequest { SourceId = Id, ScheduleId = "nightly-grpc" }));
    }

    [Fact]
    public async Task set_list_and_delete_round_trip_over_http()
    {
        var put = await host.Http.PutJsonAsync($"/v1/sources/{Id}/schedules/hourly-http", "{\"every\":\"60m\",\"repairPolicy\":\"report_only\"}");
        put.AssertOk();
        Assert.Equal("hourly-http", put.Body.GetProperty("scheduleId").GetString());
        Assert.Equal("1h", put.Body.GetProperty("every").GetString());
        Assert.Equal("incremental", put.Body.GetProperty("mode").GetString());
        Assert.Equal("report_only", put.Body.GetProperty("repairPolicy").GetString());
        var updated = DateTimeOffset.Parse(put.Body.GetProperty("updateTime").GetString()!, System.Globalization.CultureInfo.InvariantCulture);
        var next = DateTimeOffset.Parse(put.Body.GetProperty("nextFireTime").GetString()!, System.Globalization.CultureInfo.InvariantCulture);
        Assert.Equal(TimeSpan.FromHours(1), next - updated);

        var replaced = await host.Http.PutJsonAsync($"/v1/sources/{Id}/schedules/hourly-http", "{\"every\":\"2h\",\"mode\":\"full\",\"repairPolicy\":\"auto\"}");
        replaced.AssertOk();
        Assert.Equal(put.Body.GetProperty("createTime").GetString(), replaced.Body.GetProperty("createTime").GetString());

        var list = await host.Http.GetJsonAsync($"/v1/sources/{Id}/schedules");
        list.AssertOk();
        var listed = list.Body.GetProperty("schedules").EnumerateArray().Single(s => s.GetProperty("scheduleId").GetString() == "hourly-http");
        Assert.Equal(("2h", "full", "auto"), (listed.GetProperty("every").GetString(), listed.GetProperty("mode").GetString(), listed.GetProperty("repairPolicy").GetString()));

        (await host.Http.DeleteJsonAsync($"/v1/sources/{Id}/schedules/hourly-http")).AssertOk();
        (await host.Http.DeleteJsonAsync($"/v1/sources/{Id}/schedules/hourly-http"))
            .AssertError(HttpStatusCode.NotFound, StatusCode.NotFound, "schedule 'hourly-http'");
    }

    public static TheoryData<string, string> BadSchedules() => new()
    {
        { "{}", "exactly one of cron or every" },
        { "{\"cron\":\"\"}", "exactly one of cron or every" },
        { "{\"cron\":\"61 * * * *\"}", "cron '61 * * * *' is invalid" },
        { "{\"cron\":\"* * *\"}", "cron '* * *' has 3 fields" },
        { "{\"cron\":\"*/5 * * * * *\"}", "the minimum interval is 1m" },
        { "{\"cron\":\"0 2 * * *\",\"timeZone\":\"Mars/Base\"}", "time_zone 'Mars/Base'" },
        { "{\"every\":\"15x\"}", "every '15x' is not an interval" },
        { "{\"every\":\"30s\"}", "every 30s is shorter than the minimum interval 1m" },
        { "{\"every\":\"15m\",\"timeZone\":\"UTC\"}", "time_zone applies to cron schedules only" },
        { "{\"every\":\"15m\",\"mode\":\"weekly\"}", "mode 'weekly'" },
        { "{\"every\":\"15m\",\"repairPolicy\":\"sometimes\"}", "repair_policy 'sometimes'" },
        { "{\"every\":\"15m\",\"scheduleId\":\"other\"}", "schedule.schedule_id 'other' differs" },
    };

    [Theory]
    [MemberData(nameof(BadSchedules))]
    public async Task bad_schedules_are_invalid_argument_naming_the_field_over_http(string body, string message)
    {
        (await host.Http.PutJsonAsync($"/v1/sources/{Id}/schedules/bad", body))
            .AssertError(HttpStatusCode.BadRequest, StatusCode.InvalidArgument, message);
        Assert.DoesNotContain((await host.Reconciliation.ListSchedulesAsync(new ListSchedulesRequest { SourceId = Id })).Schedules, s => s.ScheduleId == "bad");
    }

    [Theory]
    [MemberData(nameof(BadSchedules))]
    public async Task bad_schedules_are_invalid_argument_naming_the_field_over_grpc(string body, string message)
    {
        var schedule = Schedule.Parser.WithDiscardUnknownFields(false).ParseJson(body);
        await RpcAssert.FailsAsync(StatusCode.InvalidArgument, message,
            async () => await host.Reconciliation.SetScheduleAsync(new SetScheduleRequest { SourceId = Id, ScheduleId = "bad", Schedule = schedule }));
    }

    [Fact]
    public async Task a_json_body_with_both_cron_and_every_is_refused()
    {
        // The proto3 JSON parser refuses two members of one oneof before the service sees them
        // (INVALID_ARGUMENT, "Multiple values specified for oneof timing").
        var response = await host.Http.PutJsonAsync($"/v1/sources/{Id}/schedules/both", "{\"cron\":\"0 2 * * *\",\"every\":\"15m\"}");
        response.AssertError(HttpStatusCode.BadRequest, StatusCode.InvalidArgument, "Multiple values specified for oneof timing");
        Assert.DoesNotContain((await host.Reconciliation.ListSchedulesAsync(new ListSchedulesRequest { SourceId = Id })).Schedules, s => s.ScheduleId == "both");
    }

    [Theory]
    [InlineData("Nightly", "contains 'N'")]
    [InlineData("a.b", "contains '.'")]
    [InlineData("x234567890123456789012345678901234567890123456789012345678901234", "is 64 characters long")]
    public async Task a_malformed_schedule_id_is_invalid_argument_naming_schedule_id(string scheduleId, string because)
    {
        var ex = await RpcAssert.FailsAsync(StatusCode.InvalidArgument, "schedule_id",
            async () => await host.Reconciliation.SetScheduleAsync(new SetScheduleRequest { SourceId = Id, ScheduleId = scheduleId, Schedule = new Schedule { Every = "1h" } }));
        Assert.Contains(because, ex.Status.Detail, StringComparison.Ordinal);
        await RpcAssert.FailsAsync(StatusCode.InvalidArgument, "schedule_id",
            async () => await host.Reconciliation.DeleteScheduleAsync(new DeleteScheduleRequest { SourceId = Id, ScheduleId = scheduleId }));
        (await host.Http.PutJsonAsync($"/v1/sources/{Id}/schedules/{HttpApi.Segment(scheduleId)}", "{\"every\":\"1h\"}"))
            .AssertError(HttpStatusCode.BadRequest, StatusCode.InvalidArgument, "schedule_id");
        (await host.Http.DeleteJsonAsync($"/v1/sources/{Id}/schedules/{HttpApi.Segment(scheduleId)}"))
            .AssertError(HttpStatusCode.BadRequest, StatusCode.InvalidArgument, "schedule_id");
    }

    [Fact]
    public async Task an_unknown_source_is_not_found_on_every_schedule_method()
    {
        await RpcAssert.FailsAsync(StatusCode.NotFound, "source 'nope'",
            async () => await host.Reconciliation.ListSchedulesAsync(new ListSchedulesRequest { SourceId = "nope" }));
        await RpcAssert.FailsAsync(StatusCode.NotFound, "source 'nope'",
            async () => await host.Reconciliation.SetScheduleAsync(new SetScheduleRequest { SourceId = "nope", ScheduleId = "s", Schedule = new Schedule { Every = "1h" } }));
        await RpcAssert.FailsAsync(StatusCode.NotFound, "source 'nope'",
            async () => await host.Reconciliation.DeleteScheduleAsync(new DeleteScheduleRequest { SourceId = "nope", ScheduleId = "s" }));
        (await host.Http.GetJsonAsync("/v1/sources/nope/schedules")).AssertError(HttpStatusCode.NotFound, StatusCode.NotFound, "source 'nope'");
        (await host.Http.PutJsonAsync("/v1/sources/nope/schedules/s", "{\"every\":\"1h\"}")).AssertError(HttpStatusCode.NotFound, StatusCode.NotFound, "source 'nope'");
        (await host.Http.DeleteJsonAsync("/v1/sources/nope/schedules/s")).AssertError(HttpStatusCode.NotFound, StatusCode.NotFound, "source 'nope'");
    }

    [Fact]
    public async Task a_malformed_source_id_is_invalid_argument_on_every_schedule_method()
    {
        await RpcAssert.FailsAsync(StatusCode.InvalidArgument, "source_id",
            async () => await host.Reconciliation.ListSchedulesAsync(new ListSchedulesRequest { SourceId = "Bad/Id" }));
        await RpcAssert.FailsAsync(StatusCode.InvalidArgument, "source_id",
            async () => await host.Reconciliation.SetScheduleAsync(new SetScheduleRequest { SourceId = "UPPER", ScheduleId = "s", Schedule = new Schedule { Every = "1h" } }));
        await RpcAssert.FailsAsync(StatusCode.InvalidArgument, "source_id",
            async () => await host.Reconciliation.DeleteScheduleAsync(new DeleteScheduleRequest { SourceId = ".hidden", ScheduleId = "s" }));
        (await host.Http.GetJsonAsync($"/v1/sources/{HttpApi.Segment("Bad/Id")}/schedules")).AssertError(HttpStatusCode.BadRequest, StatusCode.InvalidArgument, "source_id");
    }
}
