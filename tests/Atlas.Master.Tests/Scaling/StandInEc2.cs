using System.Globalization;
using System.Xml.Linq;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;

namespace Atlas.Master.Tests.Scaling;

/// <summary>
/// A stand-in for the EC2 API on a loopback port, because AWS cannot be reached here: the real
/// AWSSDK.EC2 client talks to it (ServiceURL) with the three query actions the master uses.
/// It deliberately <b>ignores the filters</b> of DescribeInstances and returns every instance it
/// holds, as a too-broad filter or a shared tag would (det-deploy's warning), so the tests show
/// what the master itself refuses to touch. It records what it was asked.
/// </summary>
internal sealed class StandInEc2 : IAsyncDisposable
{
    private static readonly XNamespace Ec2 = "http://ec2.amazonaws.com/doc/2016-11-15/";
    private readonly WebApplication _app;
    private readonly Func<DateTimeOffset> _now;
    private readonly Lock _lock = new();
    private int _next;

    private StandInEc2(WebApplication app, Func<DateTimeOffset> now) => (_app, _now) = (app, now);

    public string Url => _app.Urls.First();

    public sealed record Instance(string Id, string PrivateIp, DateTimeOffset LaunchTime, Dictionary<string, string> Tags)
    {
        public string State { get; set; } = "running";
    }

    public List<Instance> Instances { get; } = [];

    /// <summary>The form of every RunInstances call.</summary>
    public List<Dictionary<string, string>> Launches { get; } = [];

    /// <summary>The form of the last DescribeInstances call (its filters).</summary>
    public Dictionary<string, string> LastDescribe { get; private set; } = [];

    public List<string> Terminated { get; } = [];

    public static async Task<StandInEc2> StartAsync(Func<DateTimeOffset> now)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        var app = builder.Build();
        var self = new StandInEc2(app, now);
        app.MapPost("/", self.HandleAsync);
        await app.StartAsync();
        return self;
    }

    public Instance Add(string privateIp, DateTimeOffset launched, params (string Key, string Value)[] tags)
    {
        lock (_lock)
        {
            var instance = new Instance($"i-{++_next:x8}", privateIp, launched, tags.ToDictionary(t => t.Key, t => t.Value));
            Instances.Add(instance);
            return instance;
        }
    }

    public ValueTask DisposeAsync() => _app.DisposeAsync();

    private async Task<IResult> HandleAsync(HttpRequest request)
    {
        var form = (await request.ReadFormAsync()).ToDictionary(f => f.Key, f => f.Value.ToString(), StringComparer.Ordinal);
        lock (_lock)
        {
            switch (form.GetValueOrDefault("Action"))
            {
                case "DescribeInstances":
                    LastDescribe = form;
                    return Xml("DescribeInstancesResponse", new XElement(Ec2 + "reservationSet", new XElement(Ec2 + "item",
                        new XElement(Ec2 + "reservationId", "r-1"), new XElement(Ec2 + "ownerId", "123456789012"),
                        new XElement(Ec2 + "instancesSet", Instances.Where(i => i.State != "terminated").Select(Describe)))));
                case "RunInstances":
                    Launches.Add(form);
                    var tags = new Dictionary<string, string>(StringComparer.Ordinal);
                    for (var t = 1; form.ContainsKey($"TagSpecification.1.Tag.{t}.Key"); t++)
                    {
                        tags[form[$"TagSpecification.1.Tag.{t}.Key"]] = form[$"TagSpecification.1.Tag.{t}.Value"];
                    }
                    var count = int.Parse(form["MaxCount"], CultureInfo.InvariantCulture);
                    var launched = Enumerable.Range(0, count).Select(_ =>
                    {
                        var i = new Instance($"i-{++_next:x8}", $"10.0.9.{_next}", _now(), tags) { State = "pending" };
                        Instances.Add(i);
                        return i;
                    }).ToList();
                    return Xml("RunInstancesResponse", new XElement(Ec2 + "reservationId", "r-2"), new XElement(Ec2 + "ownerId", "123456789012"),
                        new XElement(Ec2 + "instancesSet", launched.Select(Describe)));
                case "TerminateInstances":
                    var ids = form.Where(f => f.Key.StartsWith("InstanceId.", StringComparison.Ordinal)).Select(f => f.Value).ToList();
                    Terminated.AddRange(ids);
                    foreach (var i in Instances.Where(i => ids.Contains(i.Id)))
                    {
                        i.State = "terminated";
                    }
                    return Xml("TerminateInstancesResponse", new XElement(Ec2 + "instancesSet", ids.Select(id => new XElement(Ec2 + "item",
                        new XElement(Ec2 + "instanceId", id), State("currentState", "shutting-down"), State("previousState", "running")))));
                default:
                    return Results.Content("<Response><Errors><Error><Code>InvalidAction</Code><Message>not in the stand-in</Message></Error></Errors></Response>",
                        "text/xml", statusCode: 400);
            }
        }
    }

    private static XElement Describe(Instance i) => new(Ec2 + "item",
        new XElement(Ec2 + "instanceId", i.Id),
        State("instanceState", i.State),
        new XElement(Ec2 + "privateIpAddress", i.PrivateIp),
        new XElement(Ec2 + "launchTime", i.LaunchTime.UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ss.fffZ", CultureInfo.InvariantCulture)),
        new XElement(Ec2 + "tagSet", i.Tags.Select(t => new XElement(Ec2 + "item", new XElement(Ec2 + "key", t.Key), new XElement(Ec2 + "value", t.Value)))));

    private static XElement State(string element, string name) => new(Ec2 + element,
        new XElement(Ec2 + "code", name switch { "pending" => 0, "running" => 16, "shutting-down" => 32, _ => 48 }),
        new XElement(Ec2 + "name", name));

    private static IResult Xml(string root, params object[] content) =>
        Results.Content(new XElement(Ec2 + root, new XElement(Ec2 + "requestId", "stand-in"), content).ToString(), "text/xml");
}
