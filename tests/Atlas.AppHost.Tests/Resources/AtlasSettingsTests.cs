using Aspire.Hosting;
using Aspire.Hosting.ApplicationModel;
using Atlas.AppHost.Resources;

namespace Atlas.AppHost.Tests.Resources;

public sealed class AtlasSettingsTests
{
    [Fact]
    public async Task WithAtlasSettings_SettingsInAppHostConfiguration_ReachServiceAndModelValueWins()
    {
        var builder = DistributedApplication.CreateBuilder();
        var service = builder.AddExecutable("svc", "true", ".")
            .WithAtlasSettings(builder.Configuration)
            .WithEnvironment("Atlas__Worker__Name", "from-model");
        // Set after the service is added: the settings are read when the service starts.
        builder.Configuration["Atlas:Worker:Docker:DefaultImage"] = "atlas-test/busybox:latest";
        builder.Configuration["Atlas:Worker:Name"] = "from-configuration";
        builder.Configuration["Other:Key"] = "not passed";

        // What DCP's start does with the service's variables: run their callbacks in order.
        var context = new EnvironmentCallbackContext(new DistributedApplicationExecutionContext(DistributedApplicationOperation.Run));
        foreach (var callback in service.Resource.Annotations.OfType<EnvironmentCallbackAnnotation>())
        {
            await callback.Callback(context);
        }
        var environment = context.EnvironmentVariables;

        environment["Atlas__Worker__Docker__DefaultImage"].ShouldBe("atlas-test/busybox:latest");
        environment["Atlas__Worker__Name"].ShouldBe("from-model");
        environment.Keys.ShouldNotContain("Other__Key");
    }
}
