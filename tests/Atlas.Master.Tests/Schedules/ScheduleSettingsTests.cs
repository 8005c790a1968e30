using Atlas.Core.Storage;
using Atlas.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Atlas.Master.Tests.Schedules;

/// <summary>The master registers the schedule store, and bad schedule settings stop it at start with their name.</summary>
public sealed class ScheduleSettingsTests(RedisServer redis) : IClassFixture<RedisServer>
{
    [Fact]
    public async Task Services_MasterRegistersTheScheduleStore()
    {
        await using var master = new MasterFactory(redis);

        master.Services.GetService<ScheduleStore>().ShouldNotBeNull();
    }

    [Theory]
    [InlineData("Atlas:Master:Schedules:CheckIntervalSeconds", "0", "CheckIntervalSeconds must be between 0.05 and 3600 (it is 0)")]
    [InlineData("Atlas:Master:Schedules:MaxTicksPerCheck", "0", "MaxTicksPerCheck must be between 1 and 10000 (it is 0)")]
    public async Task Start_ScheduleSettingWrong_FailsNamingIt(string key, string value, string message)
    {
        await using var master = new MasterFactory(redis);
        using var configured = master.WithWebHostBuilder(b => b.UseSetting(key, value));

        var error = Should.Throw<OptionsValidationException>(() => configured.Server);

        error.Message.ShouldContain(message);
    }
}
