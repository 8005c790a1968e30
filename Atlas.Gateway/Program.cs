using Atlas.Gateway.Routing;
using Atlas.Api.Auth;

var builder = WebApplication.CreateBuilder(args);

builder.AddServiceDefaults();
builder.AddAtlasApi();
builder.AddAtlasRedis();
builder.AddGatewayServices();

var app = builder.Build();

app.UseExceptionHandler();
app.MapDefaultEndpoints();
app.UseAtlasAuth();
app.MapAuthApi();
app.UseMiddleware<JobNodeForwarding>();
app.MapReverseProxy(proxy =>
{
    proxy.Use(MasterFailover.InvokeAsync);
    proxy.UseLoadBalancing();
    proxy.UsePassiveHealthChecks();
});

app.Run();

/// <summary>The gateway's entry point, visible to tests.</summary>
public partial class Program;
