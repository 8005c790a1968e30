using Atlas.Worker.Apis;

var builder = WebApplication.CreateBuilder(args);

builder.AddServiceDefaults();
builder.AddAtlasApi();
builder.AddAtlasRedis();
builder.AddWorkerServices();

var app = builder.Build();

app.UseExceptionHandler();
app.UseStatusCodePages();
app.UseAtlasAuth();
app.MapWorkerJobsApi();
app.MapDefaultEndpoints();

app.Run();

/// <summary>The worker's entry point, visible to tests.</summary>
public partial class Program;
