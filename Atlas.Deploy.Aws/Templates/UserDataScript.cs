using System.Globalization;
using System.Text;

namespace Atlas.Deploy.Aws.Templates;

/// <summary>
/// A node's boot script (for <c>Fn::Sub</c>): fetch the role's bare-metal bundle from the stack's
/// bucket with the node's role (or from <c>ArtifactsUrl</c>), mount the shared root, write the
/// node's variables to <c>/etc/atlas/ec2.env</c> (mode 0600) and run the bundle's <c>install.sh</c>
/// with them in its environment. The script names no <c>${…}</c> of its own: those are
/// CloudFormation's substitutions.
/// </summary>
internal static class UserDataScript
{
    /// <summary>Where the instance metadata service answers (IMDSv2).</summary>
    private const string Metadata = "http://169.254.169.254/latest";

    public static string For(TemplateContext t, bool master)
    {
        var c = t.Cluster;
        var role = master ? "master" : "worker";
        var redisHost = master ? "$IP" : "${" + TemplateNames.MasterInstance + ".PrivateIp}";
        var s = new StringBuilder();
        s.Append("#!/bin/bash\n");
        s.Append(CultureInfo.InvariantCulture, $"# Atlas {role} node of the cluster ${{AWS::StackName}}: bundle, shared root, install.\n");
        s.Append("set -euo pipefail\nexec >>/var/log/atlas-boot.log 2>&1\n");
        s.Append(CultureInfo.InvariantCulture, $"ROLE={role}\nBUNDLE={TemplateNames.BundleFile(role)}\nSHARED_ROOT={Quote(c.SharedRoot)}\n");
        s.Append("mkdir -p /opt/atlas /etc/atlas \"$SHARED_ROOT\"\ncd /opt/atlas\n");
        s.Append(CultureInfo.InvariantCulture, $"TOKEN=$(curl -fsS -X PUT {Metadata}/api/token -H 'X-aws-ec2-metadata-token-ttl-seconds: 300')\n");
        s.Append(CultureInfo.InvariantCulture, $"IP=$(curl -fsS -H \"X-aws-ec2-metadata-token: $TOKEN\" {Metadata}/meta-data/local-ipv4)\n");
        s.Append("fetch() {\n");
        s.Append(CultureInfo.InvariantCulture, $"  if [ -n '${{{TemplateNames.ArtifactsUrl}}}' ]; then curl -fsSL '${{{TemplateNames.ArtifactsUrl}}}'/\"$1\" -o \"$1\"\n");
        s.Append(CultureInfo.InvariantCulture, $"  else aws s3 cp \"s3://${{{TemplateNames.ArtifactsBucket}}}/${{{TemplateNames.AtlasVersion}}}/$1\" \"$1\" --region ${{AWS::Region}}; fi\n}}\n");
        s.Append("# `atlas deploy aws up` uploads the bundles once the bucket exists; a node may boot first and waits.\n");
        s.Append("for attempt in $(seq 1 90); do fetch \"$BUNDLE\" && break; echo \"waiting for $BUNDLE ($attempt)\"; sleep 10; done\n");
        s.Append("tar -xzf \"$BUNDLE\"\n");
        s.Append("command -v mount.nfs4 >/dev/null || dnf install -y nfs-utils\n");
        if (t.Efs)
        {
            Mount(s, NfsSource(t, master), "nfsvers=4.1,hard,_netdev");
        }
        else if (master)
        {
            s.Append("# The master exports the shared root; only the workers' group reaches port 2049.\n");
            s.Append("echo \"$SHARED_ROOT *(rw,sync,no_subtree_check,no_root_squash)\" > /etc/exports.d/atlas.exports\n");
            s.Append("systemctl enable --now nfs-server\nexportfs -ra\n");
        }
        else
        {
            Mount(s, NfsSource(t, master), "hard,_netdev");
        }
        s.Append("REDIS_PASSWORD=$(aws secretsmanager get-secret-value --secret-id '${" + StorageResources.RedisPassword
            + "}' --query SecretString --output text --region ${AWS::Region})\n");
        if (master)
        {
            // Keycloak's realm lets the dashboard log in at the URL browsers open (--dashboard-url, else the
            // master's public name; behind the bastion, the tunnel's localhost).
            s.Append(CultureInfo.InvariantCulture, $"DASHBOARD_URL='${{{TemplateNames.PublicDashboardUrl}}}'\n");
            s.Append("if [ -z \"$DASHBOARD_URL\" ]; then\n");
            if (t.Secure)
            {
                s.Append("  PUBLIC=localhost\n");
            }
            else
            {
                s.Append(CultureInfo.InvariantCulture, $"  PUBLIC=$(curl -fsS -H \"X-aws-ec2-metadata-token: $TOKEN\" {Metadata}/meta-data/public-hostname || curl -fsS -H \"X-aws-ec2-metadata-token: $TOKEN\" {Metadata}/meta-data/public-ipv4 || true)\n");
                s.Append("  [ -n \"$PUBLIC\" ] || PUBLIC=localhost\n");
            }
            s.Append(CultureInfo.InvariantCulture, $"  DASHBOARD_URL=http://$PUBLIC:{c.Ports.Dashboard}\n");
            s.Append("fi\n");
        }
        s.Append("umask 077\ncat > /etc/atlas/ec2.env <<EOF\n");
        var env = new List<(string, string)>
        {
            ("ATLAS_ROLE", role),
            // The bare-metal bundle's install.sh takes these (docs/DEPLOY.md, Bare metal).
            ("MASTER_HOST", master ? "$IP" : "${" + TemplateNames.MasterInstance + ".PrivateIp}"),
            ("NODE_HOST", "$IP"),
            ("NFS_SOURCE", NfsSource(t, master)),
            ("HOST_ADDRESS", master ? "$IP" : $"http://$IP:{c.Ports.Worker}"),
            ("REDIS_ADDRESS", $"{redisHost}:{c.Ports.Redis}"),
            ("REDIS_PASSWORD", "$REDIS_PASSWORD"),
            ("NUM_WORKERS", master ? "0" : c.SlotsPerWorker.ToString(CultureInfo.InvariantCulture)),
            ("Atlas__SharedRoot", "$SHARED_ROOT"),
            ("Atlas__Cluster", "${AWS::StackName}"),
            ("Atlas__Version", "${" + TemplateNames.AtlasVersion + "}"),
        };
        if (master)
        {
            env.AddRange(DynamicWorkerSettings());
            env.Add((TemplateNames.DashboardUrlVariable, "$DASHBOARD_URL"));
            env.Add(("Atlas__Master__Ec2__SlotsPerWorker", c.SlotsPerWorker.ToString(CultureInfo.InvariantCulture)));
        }
        else
        {
            env.Add(("ASPNETCORE_URLS", $"http://$IP:{c.Ports.Worker}"));
        }
        env.AddRange((master ? c.MasterSettings : c.WorkerSettings).OrderBy(e => e.Key, StringComparer.Ordinal).Select(e => (e.Key, Literal(e.Value))));
        foreach (var (key, value) in env)
        {
            s.Append(CultureInfo.InvariantCulture, $"{key}={value}\n");
        }
        // The bundle is either flat (install.sh at its top) or publish-baremetal's tree (ROLE/install.sh beside bin/).
        s.Append("EOF\nset -a\n. /etc/atlas/ec2.env\nset +a\n[ -x \"$ROLE/install.sh\" ] && cd \"$ROLE\"\n./install.sh\n");
        return s.ToString();
    }

    /// <summary>What the master's dynamic-worker manager reads (Atlas.Master, <c>Atlas:Master:Ec2</c>).</summary>
    private static IEnumerable<(string, string)> DynamicWorkerSettings()
    {
        const string p = "Atlas__Master__Ec2__";
        yield return (p + "Region", "${AWS::Region}");
        yield return (p + "ClusterId", "${AWS::StackName}");
        yield return (p + "LaunchTemplateName", "${AWS::StackName}-worker");
        yield return (p + "InstanceType", "${" + TemplateNames.WorkerInstanceType + "}");
        yield return (p + "GpuInstanceType", "${" + TemplateNames.GpuWorkerInstanceType + "}");
        yield return (p + "MaxWorkers", "${" + TemplateNames.MaxDynamicWorkers + "}");
        yield return (p + "MaxIdleSeconds", "${" + TemplateNames.MaxIdleWorkerSeconds + "}");
        yield return (p + "IdleShutdownMinutes", "${" + TemplateNames.IdleShutdownMinutes + "}");
        yield return (p + "Spot", "${" + TemplateNames.Spot + "}");
        yield return (p + "SpotMaxPrice", "${" + TemplateNames.SpotMaxPrice + "}");
    }

    /// <summary>Where the shared root comes from: EFS, the master's export (workers), or nowhere (the master serves it).</summary>
    private static string NfsSource(TemplateContext t, bool master) =>
        t.Efs ? "${" + StorageResources.FileSystem + "}.efs.${AWS::Region}.amazonaws.com:/"
            : master ? "" : "${" + TemplateNames.MasterInstance + ".PrivateIp}:$SHARED_ROOT";

    private static void Mount(StringBuilder s, string source, string options)
    {
        s.Append(CultureInfo.InvariantCulture, $"echo \"{source} $SHARED_ROOT nfs4 {options} 0 0\" >> /etc/fstab\n");
        s.Append("until mount \"$SHARED_ROOT\"; do echo 'waiting for the shared root'; sleep 5; done\n");
    }

    /// <summary>A setting's value as it stands in the script: CloudFormation's and the shell's markers escaped.</summary>
    private static string Literal(string value) =>
        value.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("$", "\\$", StringComparison.Ordinal)
            .Replace("`", "\\`", StringComparison.Ordinal).Replace("\n", " ", StringComparison.Ordinal)
            .Replace("${", "${!", StringComparison.Ordinal);

    private static string Quote(string path) => "'" + path.Replace("'", "'\\''", StringComparison.Ordinal) + "'";
}
