using Amazon;
using Amazon.EC2;

namespace Atlas.Master.Scaling;

/// <summary>The EC2 client for the options: the region's endpoint (or <see cref="DynamicWorkerOptions.ServiceUrl"/>), credentials from the SDK's chain (the instance role on EC2).</summary>
internal static class Ec2Clients
{
    public static IAmazonEC2 Create(DynamicWorkerOptions options)
    {
        var config = new AmazonEC2Config();
        if (!string.IsNullOrEmpty(options.ServiceUrl))
        {
            config.ServiceURL = options.ServiceUrl;
            config.AuthenticationRegion = string.IsNullOrEmpty(options.Region) ? "us-east-1" : options.Region;
        }
        else if (!string.IsNullOrEmpty(options.Region))
        {
            config.RegionEndpoint = RegionEndpoint.GetBySystemName(options.Region);
        }
        return new AmazonEC2Client(config);
    }
}
