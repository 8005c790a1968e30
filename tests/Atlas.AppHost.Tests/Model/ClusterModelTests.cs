using Atlas.AppHost.Model;
using Atlas.AppHost.Options;

namespace Atlas.AppHost.Tests.Model;

public class ClusterModelTests
{
    private static int _port = 40000;

    [Fact]
    public void Build_TwoMastersThreeWorkers_WiredWithAspireNames()
    {
        var model = ClusterModel.Build(new AppHostOptions { Workers = 3, Masters = 2, DataDir = "/tmp/atlas-model", Slots = 4 }, "process", () => ++_port);

        model.Resources.Select(r => r.Name).ShouldBe(["redis", "master-1", "master-2", "worker-1", "worker-2", "worker-3", "gateway", "dashboard"]);
        var worker = model.Resources.Single(r => r.Name == "worker-2");
        worker.Environment["ConnectionStrings__redis"].ShouldBe("127.0.0.1:5556");
        worker.Environment["Atlas__SharedRoot"].ShouldBe("/tmp/atlas-model/shared");
        worker.Environment["HOST_ADDRESS"].ShouldBe(worker.Url);
        worker.Environment["ASPNETCORE_URLS"].ShouldBe(worker.Url);
        worker.Environment["Atlas__Worker__Slots"].ShouldBe("4");
        worker.Environment["Atlas__Worker__Runtime"].ShouldBe("process");
        worker.Environment["Atlas__Cluster"].ShouldBe(model.ClusterId);
        worker.Environment["OTEL_SERVICE_NAME"].ShouldBe("worker-2");
        var gateway = model.Gateway;
        gateway.Url.ShouldBe("http://127.0.0.1:5558");
        gateway.Environment["services__master__http__0"].ShouldBe(model.Resources.Single(r => r.Name == "master-1").Url);
        gateway.Environment["services__master__http__1"].ShouldBe(model.Resources.Single(r => r.Name == "master-2").Url);
        model.Resources.Select(r => r.Port).Distinct().Count().ShouldBe(model.Resources.Count);
    }

    [Fact]
    public void Build_Dashboard_OnItsPortAndWiredToTheGatewayOnly()
    {
        var model = ClusterModel.Build(new AppHostOptions { DataDir = "/tmp/atlas-model", Auth = true, KeycloakUrl = "https://kc.example.com/realms/atlas" }, "process", () => ++_port);

        var dashboard = model.Dashboard;
        dashboard.Url.ShouldBe("http://127.0.0.1:5555");
        dashboard.Project.ShouldBe("Atlas.Dashboard");
        dashboard.Environment["ASPNETCORE_URLS"].ShouldBe(dashboard.Url);
        dashboard.Environment["services__gateway__http__0"].ShouldBe(model.Gateway.Url);
        // The browser's token is checked by the gateway; the dashboard reaches no store and holds no settings of auth.
        dashboard.Environment.Keys.ShouldNotContain("ConnectionStrings__redis");
        dashboard.Environment.Keys.ShouldNotContain("Atlas__SharedRoot");
        dashboard.Environment.Keys.ShouldNotContain("Atlas__Auth__Enabled");
    }

    [Fact]
    public void Build_NoAuth_SingleUserModeEverywhere()
    {
        var model = ClusterModel.Build(new AppHostOptions { DataDir = "/tmp/atlas-model" }, "process", () => ++_port);

        model.Authority.ShouldBeNull();
        model.Resources.ShouldAllBe(r => !r.Environment.ContainsKey("Atlas__Auth__Enabled"));
        model.Resources.ShouldNotContain(r => r.Kind == ResourceKind.Keycloak);
    }

    [Fact]
    public void Build_AuthWithoutUrl_StartsKeycloakFirstAndWiresEveryService()
    {
        var model = ClusterModel.Build(new AppHostOptions { DataDir = "/tmp/atlas-model", Auth = true, KeycloakPort = 5600 }, "process", () => ++_port);

        model.Resources.Select(r => r.Name).ShouldBe(["redis", "keycloak", "master", "worker-1", "worker-2", "gateway", "dashboard"]);
        model.Authority.ShouldBe("http://localhost:5600/realms/atlas");
        foreach (var service in model.Resources.Where(r => r.Kind is ResourceKind.Master or ResourceKind.Worker or ResourceKind.Gateway))
        {
            service.Environment["Atlas__Auth__Enabled"].ShouldBe("true");
            service.Environment["Atlas__Auth__Authority"].ShouldBe("http://localhost:5600/realms/atlas");
        }
    }

    [Fact]
    public void Build_AuthWithUrl_StartsNoKeycloakAndUsesTheUrl()
    {
        var model = ClusterModel.Build(new AppHostOptions { DataDir = "/tmp/atlas-model", Auth = true, KeycloakUrl = "https://kc.example.com/realms/atlas" }, "process", () => ++_port);

        model.Resources.ShouldNotContain(r => r.Kind == ResourceKind.Keycloak);
        model.Gateway.Environment["Atlas__Auth__Authority"].ShouldBe("https://kc.example.com/realms/atlas");
        model.Resources.Single(r => r.Name == "worker-1").Environment["Atlas__Auth__Enabled"].ShouldBe("true");
    }

    [Fact]
    public void ClusterIdFor_DifferentDataFolders_Differ()
    {
        ClusterModel.ClusterIdFor("/tmp/a").ShouldNotBe(ClusterModel.ClusterIdFor("/tmp/b"));
        ClusterModel.ClusterIdFor("/tmp/a").ShouldBe(ClusterModel.ClusterIdFor("/tmp/a/../a"));
    }

    [Fact]
    public void Build_GpusPerWorker_DeclaresIdsOnEveryWorker()
    {
        var model = ClusterModel.Build(new AppHostOptions { Workers = 2, DataDir = "/tmp/atlas-model", GpusPerWorker = 3 }, "process", () => ++_port);

        foreach (var worker in model.Resources.Where(r => r.Kind == ResourceKind.Worker))
        {
            worker.Environment["Atlas__Worker__Gpus"].ShouldBe("0,1,2");
        }
        ClusterModel.Build(new AppHostOptions { DataDir = "/tmp/atlas-model" }, "process", () => ++_port)
            .Resources.Where(r => r.Kind == ResourceKind.Worker).ShouldAllBe(w => !w.Environment.ContainsKey("Atlas__Worker__Gpus"));
    }
}
