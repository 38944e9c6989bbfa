using System.Diagnostics;
using System.Reflection;
using System.Runtime.InteropServices;

namespace SnapshotService.Benchmarks;

/// <summary>What the numbers were measured on; printed with every report.</summary>
internal static class MachineInfo
{
    public static bool IsOptimizedBuild =>
        typeof(MachineInfo).Assembly.GetCustomAttribute<DebuggableAttribute>()?.IsJITOptimizerDisabled != true;

    public static string Describe()
    {
        var memoryGiB = GC.GetGCMemoryInfo().TotalAvailableMemoryBytes / (1024.0 * 1024 * 1024);
        return $"{Environment.ProcessorCount} cores ({CpuModel()}), {memoryGiB:0} GiB, {RuntimeInformation.OSDescription.Trim()} {RuntimeInformation.OSArchitecture}, " +
               $"{RuntimeInformation.FrameworkDescription}, {(IsOptimizedBuild ? "Release" : "DEBUG")} build, " +
               $"GC {(System.Runtime.GCSettings.IsServerGC ? "server" : "workstation")}";
    }

    /// <summary>The 1/5/15-minute load averages: on a shared machine they say how far to trust absolute numbers.</summary>
    public static string LoadAverage()
    {
        try
        {
            var fields = File.ReadAllText("/proc/loadavg").Split(' ');
            return $"{fields[0]} / {fields[1]} / {fields[2]}";
        }
        catch (IOException)
        {
            return "unknown";
        }
        catch (UnauthorizedAccessException)
        {
            return "unknown";
        }
    }

    private static string CpuModel()
    {
        try
        {
            var line = File.ReadLines("/proc/cpuinfo").FirstOrDefault(l => l.StartsWith("model name", StringComparison.Ordinal));
            return line is null ? RuntimeInformation.ProcessArchitecture.ToString() : line[(line.IndexOf(':') + 1)..].Trim();
        }
        catch (IOException)
        {
            return RuntimeInformation.ProcessArchitecture.ToString();
        }
        catch (UnauthorizedAccessException)
        {
            return RuntimeInformation.ProcessArchitecture.ToString();
        }
    }
}
