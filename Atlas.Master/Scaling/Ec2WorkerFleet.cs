using Amazon.EC2;
using Amazon.EC2.Model;
using Microsoft.Extensions.Options;

namespace Atlas.Master.Scaling;

/// <summary>
/// Dynamic workers through the EC2 API. Every launch is tagged with the cluster and the
/// dynamic-worker role (the master's IAM role allows no other launch); the list asks EC2 for
/// instances with those tags and checks the tags again itself, so an instance of another cluster
/// never reaches <see cref="TerminateAsync"/>, whatever a filter or a shared tag lets through.
/// </summary>
/// <remarks>The client is made on first use, so a master with dynamic workers off never needs AWS settings.</remarks>
public sealed class Ec2WorkerFleet(Lazy<IAmazonEC2> client, IOptions<DynamicWorkerOptions> options) : IWorkerFleet
{
    private DynamicWorkerOptions O => options.Value;

    private IAmazonEC2 Ec2 => client.Value;

    public async Task<IReadOnlyList<FleetInstance>> ListAsync(CancellationToken cancellationToken)
    {
        var request = new DescribeInstancesRequest
        {
            Filters =
            [
                new Filter("tag:" + DynamicWorkerOptions.ClusterTag, [O.ClusterId!]),
                new Filter("tag:" + DynamicWorkerOptions.RoleTag, [DynamicWorkerOptions.DynamicRole]),
                new Filter("instance-state-name", ["pending", "running"]),
            ],
        };
        var found = new List<FleetInstance>();
        await foreach (var reservation in Ec2.Paginators.DescribeInstances(request).Reservations.WithCancellation(cancellationToken))
        {
            foreach (var i in reservation.Instances ?? [])
            {
                var instance = new FleetInstance(
                    i.InstanceId,
                    i.PrivateIpAddress,
                    i.State?.Name?.Value ?? "unknown",
                    i.LaunchTime is { } launched ? new DateTimeOffset(DateTime.SpecifyKind(launched, DateTimeKind.Utc)) : DateTimeOffset.MinValue,
                    (i.Tags ?? []).GroupBy(t => t.Key, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.Last().Value, StringComparer.Ordinal));
                if (instance.IsDynamicWorkerOf(O.ClusterId!) && instance.State is "pending" or "running")
                {
                    found.Add(instance);
                }
            }
        }
        return found;
    }

    public async Task<IReadOnlyList<string>> LaunchAsync(int count, CancellationToken cancellationToken)
    {
        List<Tag> tags =
        [
            new(DynamicWorkerOptions.ClusterTag, O.ClusterId),
            new(DynamicWorkerOptions.RoleTag, DynamicWorkerOptions.DynamicRole),
            new("Name", O.ClusterId + "-dynamic-worker"),
        ];
        var request = new RunInstancesRequest
        {
            MinCount = 1,
            MaxCount = count,
            LaunchTemplate = new LaunchTemplateSpecification { LaunchTemplateName = O.LaunchTemplateName, Version = "$Latest" },
            TagSpecifications =
            [
                new TagSpecification { ResourceType = ResourceType.Instance, Tags = tags },
                new TagSpecification { ResourceType = ResourceType.Volume, Tags = tags },
            ],
        };
        if (!string.IsNullOrEmpty(O.InstanceType))
        {
            request.InstanceType = InstanceType.FindValue(O.InstanceType);
        }
        if (O.Spot)
        {
            request.InstanceMarketOptions = new InstanceMarketOptionsRequest
            {
                MarketType = MarketType.Spot,
                SpotOptions = new SpotMarketOptions
                {
                    SpotInstanceType = SpotInstanceType.OneTime,
                    InstanceInterruptionBehavior = InstanceInterruptionBehavior.Terminate,
                    MaxPrice = string.IsNullOrEmpty(O.SpotMaxPrice) ? null : O.SpotMaxPrice,
                },
            };
        }
        var response = await Ec2.RunInstancesAsync(request, cancellationToken);
        return [.. (response.Reservation?.Instances ?? []).Select(i => i.InstanceId)];
    }

    public async Task TerminateAsync(IReadOnlyList<string> instanceIds, CancellationToken cancellationToken)
    {
        if (instanceIds.Count > 0)
        {
            await Ec2.TerminateInstancesAsync(new TerminateInstancesRequest { InstanceIds = [.. instanceIds] }, cancellationToken);
        }
    }
}
