using Atlas.Dashboard.Apis;

var builder = WebApplication.CreateBuilder(args);

builder.AddServiceDefaults();
builder.AddDashboardServices();

var app = builder.Build();

app.UseExceptionHandler();
app.UseDashboardFrontend();
app.MapDashboardConfigApi();
app.MapReverseProxy(proxy => proxy.Use(Atlas.Dashboard.Proxy.GatewayErrors.ExplainAsync));
app.MapDefaultEndpoints();

app.Run();

/// <summary>The dashboard's entry point, visible to tests.</summary>
public partial class Program;
