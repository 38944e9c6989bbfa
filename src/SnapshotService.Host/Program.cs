using SnapshotService.Host.Extensions;

var builder = WebApplication.CreateBuilder(args);
builder.AddSnapshotService();
var app = builder.Build();
app.MapSnapshotService();
return await app.RunSnapshotServiceAsync();

/// <summary>The entry point (public so tests can reference the assembly through it).</summary>
public partial class Program;
