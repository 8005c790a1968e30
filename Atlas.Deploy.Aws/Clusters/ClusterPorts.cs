namespace Atlas.Deploy.Aws.Clusters;

/// <summary>The ports a deployed cluster uses: the seed's numbers by default (see DESIGN.md, Ports).</summary>
/// <param name="Gateway">The REST API and the CLI's <c>scheduler_url</c>; open from the inbound CIDR.</param>
/// <param name="Dashboard">The Atlas dashboard; open from the inbound CIDR.</param>
/// <param name="Keycloak">Keycloak over https; open from the inbound CIDR.</param>
/// <param name="Redis">Redis on the master host; only from the cluster's groups.</param>
/// <param name="Master">The master's own HTTP port, behind the gateway; only from the cluster's groups.</param>
/// <param name="Worker">A worker's <c>HOST_ADDRESS</c> port (live logs); only from the master's group.</param>
/// <param name="Otlp">The Aspire dashboard's OTLP port on the master host; only from the cluster's groups.</param>
public sealed record ClusterPorts(
    int Gateway = 5558,
    int Dashboard = 5555,
    int Keycloak = 8443,
    int Redis = 5556,
    int Master = 5560,
    int Worker = 5561,
    int Otlp = 18889)
{
    /// <summary>NFS, for the shared root: the master's export or EFS.</summary>
    public const int Nfs = 2049;

    /// <summary>SSH, from the inbound CIDR (to the bastion only, for <c>secure</c>).</summary>
    public const int Ssh = 22;
}
