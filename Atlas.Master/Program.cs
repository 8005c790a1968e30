using Atlas.Master.Apis;
using Atlas.Api.Auth;

var builder = WebApplication.CreateBuilder(args);

builder.AddServiceDefaults();
builder.AddAtlasApi();
builder.AddAtlasRedis();
builder.AddMasterServices();

var app = builder.Build();

app.UseExceptionHandler();
app.UseStatusCodePages();
app.UseAtlasAuth();
app.MapOpenApi();
app.MapAuthApi();
app.MapJobTableApi();
app.MapJobsApi();
app.MapSchedulesApi();
app.MapGroupsApi();
app.MapBlobsApi();
app.MapTrackingApi();
app.MapNodesApi();
app.MapQueueApi();
app.MapQueueControlApi();
app.MapDefaultEndpoints();

app.Run();

/// <summary>The master's entry point, visible to tests.</summary>
public partial class Program;
