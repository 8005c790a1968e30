using Atlas.Api.Auth;
using Atlas.Gateway.Routing;

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
    proxy.Use(ProxyErrorProblems.InvokeAsync);
    proxy.Use(MasterFailover.InvokeAsync);
    proxy.UseLoadBalancing();
    proxy.UsePassiveHealthChecks();
});

app.Run();

/// <summary>The gateway's entry point, visible to tests.</summary>
public partial class Program;
