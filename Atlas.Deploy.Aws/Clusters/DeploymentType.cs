namespace Atlas.Deploy.Aws.Clusters;

/// <summary>det-deploy's deployment types.</summary>
public enum DeploymentType
{
    /// <summary>The account's default VPC; the master exports the shared root over NFS.</summary>
    Simple,

    /// <summary>A VPC of its own with one public subnet; the master exports the shared root over NFS.</summary>
    Vpc,

    /// <summary>As <see cref="Vpc"/>, with the shared root on EFS.</summary>
    Efs,

    /// <summary>EFS, the nodes in a private subnet behind a NAT gateway, reached through a bastion.</summary>
    Secure,
}
