using Atlas.Core.Storage;
using Atlas.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Atlas.Master.Tests.Options;

/// <summary>The master gets only its own store, and the lease is one setting shared with the workers.</summary>
public sealed class MasterSettingsTests(RedisServer redis) : IClassFixture<RedisServer>
{
    [Fact]
    public async Task Services_MasterRegistersItsStoreAndTheReader_NotTheWorkers()
    {
        await using var master = new MasterFactory(redis);

        master.Services.GetService<MasterJobStore>().ShouldNotBeNull();
        master.Services.GetService<JobReader>().ShouldNotBeNull();
        master.Services.GetService<WorkerJobStore>().ShouldBeNull(); // the master cannot claim or complete
    }

    [Theory]
    [InlineData("Atlas:Master:LeaseSeconds", "15", "Atlas:Master:LeaseSeconds is no longer read")]
    [InlineData("Atlas:Master:ReapIntervalSeconds", "20", "ReapIntervalSeconds must be above 0 and at most Atlas:LeaseSeconds (are 20 and 15)")]
    public async Task Start_LeaseSettingWrong_FailsNamingIt(string key, string value, string message)
    {
        await using var master = new MasterFactory(redis);
        using var configured = master.WithWebHostBuilder(b => b.UseSetting(key, value));

        var error = Should.Throw<OptionsValidationException>(() => configured.Server);

        error.Message.ShouldContain(message);
    }
}
