using Amazon.EC2;
using Amazon.Runtime;
using Atlas.Core.Jobs;
using Atlas.Core.Storage;
using Atlas.Master.Leadership;
using Atlas.Master.Options;
using Atlas.Master.Scaling;
using Atlas.Testing;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using StackExchange.Redis;
using MsOptions = Microsoft.Extensions.Options.Options;

namespace Atlas.Master.Tests.Scaling;

/// <summary>
/// Dynamic workers: the real manager on a real redis-server, with the real AWSSDK.EC2 client
/// against <see cref="StandInEc2"/> on loopback (AWS cannot be reached from here), on a fake clock.
/// </summary>
public sealed class DynamicWorkerManagerTests(RedisServer redis) : IClassFixture<RedisServer>, IAsyncLifetime
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 12, 1, 12, 0, 0, TimeSpan.Zero));
    private ConnectionMultiplexer _redis = null!;
    private MasterJobStore _store = null!;
    private JobReader _reader = null!;
    private WorkerJobStore _workers = null!;
    private StandInEc2 _ec2 = null!;
    private AmazonEC2Client _client = null!;

    public async ValueTask InitializeAsync()
    {
        _redis = await ConnectionMultiplexer.ConnectAsync(redis.ConnectionString);
        await _redis.GetServers()[0].FlushDatabaseAsync();
        _store = new MasterJobStore(_redis);
        _reader = new JobReader(_redis);
        _workers = new WorkerJobStore(_redis);
        _ec2 = await StandInEc2.StartAsync(_time.GetUtcNow);
        _client = new AmazonEC2Client(new BasicAWSCredentials("stand-in", "stand-in"),
            new AmazonEC2Config { ServiceURL = _ec2.Url, AuthenticationRegion = "us-east-1", MaxErrorRetry = 0 });
    }

    public async ValueTask DisposeAsync()
    {
        _client.Dispose();
        await _ec2.DisposeAsync();
        await _redis.DisposeAsync();
    }

    private static DynamicWorkerOptions Options(Action<DynamicWorkerOptions>? change = null)
    {
        var o = new DynamicWorkerOptions
        {
            MaxWorkers = 3,
            ClusterId = "team",
            LaunchTemplateName = "team-worker",
            InstanceType = "m5.large",
            SlotsPerWorker = 2,
            MaxIdleSeconds = 600,
            BootGraceSeconds = 900,
        };
        change?.Invoke(o);
        return o;
    }

    [Fact]
    public async Task Tick_JobsWaitAndNoNodeCanTakeThem_LaunchesTaggedWorkersUpToTheMax()
    {
        await SubmitAsync(10);
        var manager = Manager(Options());

        await manager.TickAsync(Ct);
        await manager.TickAsync(Ct);

        var launch = _ec2.Launches.ShouldHaveSingleItem(); // the second look sees three booting, the max
        launch["MaxCount"].ShouldBe("3");
        launch["LaunchTemplate.LaunchTemplateName"].ShouldBe("team-worker");
        launch["InstanceType"].ShouldBe("m5.large");
        launch.ShouldNotContainKey("InstanceMarketOptions.MarketType");
        _ec2.Instances.ShouldAllBe(i => i.Tags["atlas:cluster"] == "team" && i.Tags["atlas:role"] == "dynamic-worker");
    }

    [Fact]
    public async Task Tick_FreeSlotsTakeTheQueue_LaunchesNothing()
    {
        await RegisterAsync("worker-1", "10.0.0.1", slots: 4);
        await SubmitAsync(3);

        await Manager(Options()).TickAsync(Ct);

        _ec2.Launches.ShouldBeEmpty();
    }

    [Fact]
    public async Task Tick_BootingWorkers_CountAsCapacityOnTheWay()
    {
        await SubmitAsync(4);
        var manager = Manager(Options(o => o.MaxWorkers = 5));

        await manager.TickAsync(Ct);
        _time.Advance(TimeSpan.FromMinutes(1));
        await manager.TickAsync(Ct);

        _ec2.Launches.ShouldHaveSingleItem()["MaxCount"].ShouldBe("2");
    }

    [Fact]
    public async Task Tick_Spot_LaunchesSpotInstancesBelowTheMaxPrice()
    {
        await SubmitAsync(1);

        await Manager(Options(o => (o.Spot, o.SpotMaxPrice) = (true, "0.45"))).TickAsync(Ct);

        var launch = _ec2.Launches.ShouldHaveSingleItem();
        launch["InstanceMarketOptions.MarketType"].ShouldBe("spot");
        launch["InstanceMarketOptions.SpotOptions.MaxPrice"].ShouldBe("0.45");
    }

    [Fact]
    public async Task Tick_DynamicWorkerIdlePastThePeriod_IsTerminated()
    {
        var worker = _ec2.Add("10.0.5.5", _time.GetUtcNow(), Own);
        await RegisterAsync("dyn-1", worker.PrivateIp, slots: 2);
        var manager = Manager(Options());

        await manager.TickAsync(Ct);
        _time.Advance(TimeSpan.FromMinutes(9));
        await manager.TickAsync(Ct);
        _ec2.Terminated.ShouldBeEmpty();

        _time.Advance(TimeSpan.FromMinutes(2));
        await manager.TickAsync(Ct);

        _ec2.Terminated.ShouldBe([worker.Id]);
    }

    [Fact]
    public async Task Tick_WorkerRunningAJob_IsNotTerminated()
    {
        var worker = _ec2.Add("10.0.5.6", _time.GetUtcNow(), Own);
        await RegisterAsync("dyn-1", worker.PrivateIp, slots: 2);
        await SubmitAsync(1);
        var epoch = await _store.LeadAsync("test", TimeSpan.FromMinutes(5), Ct);
        (await _store.PlaceAsync(10, TimeSpan.FromMinutes(30), epoch, Ct)).ShouldHaveSingleItem();
        var manager = Manager(Options());

        await manager.TickAsync(Ct);
        _time.Advance(TimeSpan.FromMinutes(20));
        await manager.TickAsync(Ct);

        _ec2.Terminated.ShouldBeEmpty();
    }

    [Fact]
    public async Task Tick_AnotherClustersAndStaticInstances_AreNeverTerminated()
    {
        var longAgo = _time.GetUtcNow() - TimeSpan.FromHours(3);
        var other = _ec2.Add("10.1.0.1", longAgo, ("atlas:cluster", "other-team"), ("atlas:role", "dynamic-worker"));
        var prefix = _ec2.Add("10.1.0.2", longAgo, ("atlas:cluster", "team-2"), ("atlas:role", "dynamic-worker"));
        var ownStatic = _ec2.Add("10.1.0.3", longAgo, ("atlas:cluster", "team"), ("atlas:role", "worker"));
        var untagged = _ec2.Add("10.1.0.4", longAgo);
        var own = _ec2.Add("10.1.0.5", longAgo, Own);
        var manager = Manager(Options());

        await manager.TickAsync(Ct);
        _time.Advance(TimeSpan.FromHours(1));
        await manager.TickAsync(Ct);

        // The stand-in answered with all five (it ignores filters); only the cluster's own dynamic worker went.
        _ec2.Terminated.ShouldBe([own.Id]);
        foreach (var kept in new[] { other, prefix, ownStatic, untagged })
        {
            kept.State.ShouldBe("running");
        }
        _ec2.LastDescribe.Values.ShouldContain("tag:atlas:cluster");
        _ec2.LastDescribe.Values.ShouldContain("team");
    }

    [Fact]
    public async Task Tick_IdleShutdown_TerminatesEveryDynamicWorkerAfterThatLongWithNoJob()
    {
        var a = _ec2.Add("10.0.6.1", _time.GetUtcNow(), Own);
        var b = _ec2.Add("10.0.6.2", _time.GetUtcNow(), Own);
        var other = _ec2.Add("10.0.6.3", _time.GetUtcNow(), ("atlas:cluster", "other-team"), ("atlas:role", "dynamic-worker"));
        await RegisterAsync("dyn-a", a.PrivateIp, slots: 2);
        await RegisterAsync("dyn-b", b.PrivateIp, slots: 2);
        var manager = Manager(Options(o => (o.IdleShutdownMinutes, o.MaxIdleSeconds) = (30, 7200)));

        await manager.TickAsync(Ct);
        _time.Advance(TimeSpan.FromMinutes(29));
        await manager.TickAsync(Ct);
        _ec2.Terminated.ShouldBeEmpty();

        _time.Advance(TimeSpan.FromMinutes(2));
        await manager.TickAsync(Ct);

        _ec2.Terminated.Order().ShouldBe(new[] { a.Id, b.Id }.Order());
        other.State.ShouldBe("running");
    }

    [Theory]
    [InlineData(3, null, "team-worker", false, null, "Atlas:Master:Ec2:ClusterId must be set")]
    [InlineData(3, "team", null, false, null, "Atlas:Master:Ec2:LaunchTemplateName must be set")]
    [InlineData(3, "team", "team-worker", false, "0.45", "Atlas:Master:Ec2:SpotMaxPrice is set but Spot is false")]
    [InlineData(3, "team", "team-worker", true, "cheap", "Atlas:Master:Ec2:SpotMaxPrice must be a price")]
    [InlineData(-1, null, null, false, null, "Atlas:Master:Ec2:MaxWorkers must be 0 (off) or more")]
    public void Validate_BadSetting_SaysWhich(int max, string? cluster, string? template, bool spot, string? price, string message)
    {
        var result = new DynamicWorkerOptionsValidator().Validate(null, new DynamicWorkerOptions
        {
            MaxWorkers = max, ClusterId = cluster, LaunchTemplateName = template, Spot = spot, SpotMaxPrice = price,
        });

        result.Failed.ShouldBeTrue();
        result.FailureMessage.ShouldContain(message);
    }

    [Fact]
    public void Validate_Off_NeedsNothingElse() =>
        new DynamicWorkerOptionsValidator().Validate(null, new DynamicWorkerOptions()).Succeeded.ShouldBeTrue();

    private static readonly (string, string)[] Own = [("atlas:cluster", "team"), ("atlas:role", "dynamic-worker")];

    private DynamicWorkerManager Manager(DynamicWorkerOptions o)
    {
        var options = MsOptions.Create(o);
        var leader = new LeaderElection(_store, MsOptions.Create(new MasterOptions()), _time, NullLogger<LeaderElection>.Instance);
        return new DynamicWorkerManager(_store, _reader, leader, new Ec2WorkerFleet(new Lazy<IAmazonEC2>(_client), options), options, _time,
            NullLogger<DynamicWorkerManager>.Instance);
    }

    private async Task SubmitAsync(int count)
    {
        for (var i = 0; i < count; i++)
        {
            await _store.SubmitAsync($"job-{Guid.NewGuid():N}", new JobSpec { Command = ["true"], Project = "p" }, new JobOwner("u", "u"), null, null, Ct);
        }
    }

    private Task RegisterAsync(string name, string ip, int slots) =>
        _workers.RegisterNodeAsync(new NodeRegistration(name, $"http://{ip}:5561", "process", slots), TimeSpan.FromMinutes(30), Ct);
}
