using Atlas.Deploy.Aws.CloudFormation;
using Atlas.Deploy.Aws.Templates;

namespace Atlas.Deploy.Aws.Deployment;

/// <summary>
/// Brings a cluster up, or down, by its name (flambé): <c>up</c> creates the stack, or updates the
/// one of that name, or says nothing changed; a stack that rolled back at creation is reported with
/// the reason of the resource that failed, and deleted only when asked. CloudFormation does the
/// work; this waits for it, polling at <paramref name="pollInterval"/>.
/// </summary>
public sealed class ClusterDeployer(StackClient stacks, TimeProvider time, TimeSpan pollInterval, Action<string> say)
{
    public async Task<UpResult> UpAsync(UpRequest request, CancellationToken cancellationToken)
    {
        var name = request.ClusterId;
        var existing = await stacks.DescribeAsync(name, cancellationToken);
        if (existing is { InProgress: true })
        {
            throw new DeployException($"cluster {name} is {existing.Status}: wait for it to finish (atlas deploy aws status --cluster-id {name})");
        }
        if (existing is { RolledBackAtCreate: true })
        {
            var failure = await DescribeFailureAsync(name, cancellationToken);
            if (!request.DeleteFailed)
            {
                throw new DeployException($"cluster {name} is {existing.Status}: {failure}. Run up again with --delete-failed to delete it and create it anew, or atlas deploy aws down --cluster-id {name}");
            }
            say($"deleting {name} ({existing.Status}: {failure})");
            await stacks.DeleteAsync(name, cancellationToken);
            await WaitAsync(name, cancellationToken);
            existing = null;
        }

        var scratch = Path.Combine(Path.GetTempPath(), $"atlas-{name}-{Guid.NewGuid():N}");
        Directory.CreateDirectory(scratch);
        try
        {
            var templateFile = Path.Combine(scratch, "template.json");
            await File.WriteAllTextAsync(templateFile, Ec2Template.GenerateCompact(request.Cluster, request.Type), cancellationToken);
            if (request.BundlesFolder is not null)
            {
                request = request with { BundlesFolder = await BundleArchives.PrepareAsync(request.BundlesFolder, Path.Combine(scratch, "bundles"), cancellationToken) };
            }
            return existing is null
                ? await CreateAsync(request, templateFile, cancellationToken)
                : await UpdateAsync(request, existing, templateFile, cancellationToken);
        }
        finally
        {
            Directory.Delete(scratch, recursive: true);
        }
    }

    /// <summary>Deletes the cluster's stack, emptying its bucket first; false when there is no such cluster.</summary>
    public async Task<bool> DownAsync(string name, CancellationToken cancellationToken)
    {
        var existing = await stacks.DescribeAsync(name, cancellationToken);
        if (existing is null)
        {
            return false;
        }
        if (existing.Output(TemplateNames.BucketOutput) is { Length: > 0 } bucket)
        {
            say($"emptying s3://{bucket}");
            await stacks.EmptyBucketAsync(bucket, cancellationToken);
        }
        say($"deleting {name}");
        await stacks.DeleteAsync(name, cancellationToken);
        var final = await WaitAsync(name, cancellationToken);
        if (final is not null && final.Status != "DELETE_COMPLETE")
        {
            throw new DeployException($"cluster {name} is {final.Status}: {await DescribeFailureAsync(name, cancellationToken)}");
        }
        return true;
    }

    private async Task<UpResult> CreateAsync(UpRequest request, string templateFile, CancellationToken cancellationToken)
    {
        var name = request.ClusterId;
        say($"creating {name} ({request.Type.ToString().ToLowerInvariant()}, {request.Workers} static worker(s), Atlas {request.Version})");
        await stacks.CreateAsync(name, templateFile, request.Parameters, request.Tags, cancellationToken);
        if (request.BundlesFolder is not null)
        {
            // The nodes wait for their bundle; upload it as soon as the stack's bucket exists.
            var bucket = await WaitForBucketAsync(name, cancellationToken);
            say($"uploading {request.BundlesFolder} to s3://{bucket}/{request.Version}/");
            await stacks.UploadAsync(request.BundlesFolder, bucket, request.Version, cancellationToken);
        }
        var final = await WaitAsync(name, cancellationToken) ?? throw new DeployException($"cluster {name} disappeared while it was created");
        await ThrowIfFailedAsync(final, cancellationToken);
        return new UpResult(final, Created: true, Changed: true, PreviousVersion: null);
    }

    private async Task<UpResult> UpdateAsync(UpRequest request, StackInfo existing, string templateFile, CancellationToken cancellationToken)
    {
        var name = request.ClusterId;
        var previous = existing.Output(TemplateNames.VersionOutput);
        if (request.BundlesFolder is not null && existing.Output(TemplateNames.BucketOutput) is { Length: > 0 } bucket)
        {
            say($"uploading {request.BundlesFolder} to s3://{bucket}/{request.Version}/");
            await stacks.UploadAsync(request.BundlesFolder, bucket, request.Version, cancellationToken);
        }
        say($"updating {name} ({existing.Status})");
        if (!await stacks.UpdateAsync(name, templateFile, request.Parameters, request.Tags, cancellationToken))
        {
            return new UpResult(existing, Created: false, Changed: false, previous);
        }
        var final = await WaitAsync(name, cancellationToken) ?? throw new DeployException($"cluster {name} disappeared while it was updated");
        await ThrowIfFailedAsync(final, cancellationToken);
        return new UpResult(final, Created: false, Changed: true, previous);
    }

    private async Task<string> WaitForBucketAsync(string name, CancellationToken cancellationToken)
    {
        while (true)
        {
            if (await stacks.CreatedResourceAsync(name, TemplateNames.ArtifactsBucket, cancellationToken) is { } bucket)
            {
                return bucket;
            }
            var stack = await stacks.DescribeAsync(name, cancellationToken);
            if (stack is null || !stack.InProgress)
            {
                await ThrowIfFailedAsync(stack ?? throw new DeployException($"cluster {name} disappeared while it was created"), cancellationToken);
                throw new DeployException($"cluster {name} is {stack.Status} but has no artifacts bucket");
            }
            await Task.Delay(pollInterval, time, cancellationToken);
        }
    }

    /// <summary>Polls until the stack is no longer changing; null when it is gone.</summary>
    private async Task<StackInfo?> WaitAsync(string name, CancellationToken cancellationToken)
    {
        string? last = null;
        while (true)
        {
            var stack = await stacks.DescribeAsync(name, cancellationToken);
            if (stack is null || !stack.InProgress)
            {
                return stack;
            }
            if (stack.Status != last)
            {
                say($"{name}: {stack.Status}");
                last = stack.Status;
            }
            await Task.Delay(pollInterval, time, cancellationToken);
        }
    }

    private async Task ThrowIfFailedAsync(StackInfo stack, CancellationToken cancellationToken)
    {
        if (stack.Failed)
        {
            throw new DeployException($"cluster {stack.Name} is {stack.Status}: {await DescribeFailureAsync(stack.Name, cancellationToken)}"
                + (stack.RolledBackAtCreate ? $". Run up again with --delete-failed to delete it and create it anew, or atlas deploy aws down --cluster-id {stack.Name}" : ""));
        }
    }

    private async Task<string> DescribeFailureAsync(string name, CancellationToken cancellationToken) =>
        await stacks.FirstFailureAsync(name, cancellationToken) is { } failure
            ? $"{failure.LogicalResourceId} ({failure.ResourceType}) {failure.Status}: {failure.Reason ?? "no reason given"}"
            : "CloudFormation gave no failed resource";
}
