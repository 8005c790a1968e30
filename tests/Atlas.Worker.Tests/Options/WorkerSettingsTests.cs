using Atlas.Core.Storage;
using Atlas.Testing;
using Atlas.Worker.Tests.Execution;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Atlas.Worker.Tests.Options;

/// <summary>The worker gets only its own store, and its lease settings are checked at start against the shared lease.</summary>
public sealed class WorkerSettingsTests(RedisServer redis) : IClassFixture<RedisServer>, IDisposable
{
    private readonly TempFolder _shared = new("atlas-shared");

    public void Dispose() => _shared.Dispose();

    [Fact]
    public async Task Services_WorkerRegistersItsStoreAndTheReader_NotTheMasters()
    {
        await using var worker = Create();

        worker.Services.GetService<WorkerJobStore>().ShouldNotBeNull();
        worker.Services.GetService<JobReader>().ShouldNotBeNull();
        worker.Services.GetService<MasterJobStore>().ShouldBeNull(); // a worker cannot place or reap
    }

    [Theory]
    [InlineData("Atlas:Worker:LeaseSeconds", "15", "Atlas:Worker:LeaseSeconds is no longer read")]
    [InlineData("Atlas:LeaseSeconds", "8", "at most half of Atlas:LeaseSeconds (are 5 and 8)")]
    [InlineData("Atlas:LeaseSeconds", "0", "Atlas:LeaseSeconds must be between 1 and 3600")]
    public async Task Start_LeaseSettingWrong_FailsNamingIt(string key, string value, string message)
    {
        await using var worker = Create((key, value));

        var error = Should.Throw<OptionsValidationException>(() => worker.Server);

        error.Message.ShouldContain(message);
    }

    private WebApplicationFactory<Program> Create(params (string Key, string Value)[] settings) =>
        WorkerHost.Create(redis.ConnectionString, _shared.Path, "settings-node", drainGraceSeconds: "1").WithWebHostBuilder(b =>
        {
            foreach (var (key, value) in settings)
            {
                b.UseSetting(key, value);
            }
        });
}
