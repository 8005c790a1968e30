namespace Atlas.Core.Jobs;

/// <summary>What a user asks to run: the body of a submit, stored as <c>jobs/{id}/spec.json</c>.</summary>
public sealed record JobSpec
{
    /// <summary>A display name; defaults to the project folder's name on the CLI.</summary>
    public string? Name { get; init; }

    /// <summary>The project the job belongs to, for grouping; defaults to <c>default</c>.</summary>
    public string? Project { get; init; }

    /// <summary>The container image (docker runtime); the worker's default when empty.</summary>
    public string? Image { get; init; }

    /// <summary>The program and its arguments, run in the unpacked project folder.</summary>
    public IReadOnlyList<string> Command { get; init; } = [];

    /// <summary>Extra environment variables for the job.</summary>
    public IReadOnlyDictionary<string, string> Env { get; init; } = new Dictionary<string, string>();

    /// <summary>Higher runs first; between -100 and 100, 0 by default.</summary>
    public int Priority { get; init; }

    /// <summary>Parameters recorded with the job (<c>atlas submit --param lr=0.1</c>); the job sees each as <c>ATLAS_PARAM_LR</c>.</summary>
    public IReadOnlyDictionary<string, string>? Params { get; init; }

    /// <summary>Tags recorded with the job (<c>--tag stage=baseline</c>); the job sees each as <c>ATLAS_TAG_STAGE</c>.</summary>
    public IReadOnlyDictionary<string, string>? Tags { get; init; }

    /// <summary>GPUs, CPU and memory the job needs (<c>--gpus</c>, <c>--cpus</c>, <c>--memory</c>); null for the defaults (no GPU, no limits).</summary>
    public JobResources? Resources { get; init; }

    /// <summary>Seconds the job may run before it is stopped and ends <c>failed</c> with the reason "time limit" (<c>--time-limit 2h</c>); null for none.</summary>
    public int? TimeLimitSeconds { get; init; }

    /// <summary>How many more attempts a failure may get (<c>--retries N</c>); 0 by default.</summary>
    public int Retries { get; init; }

    /// <summary>The exit codes that are retried (<c>--retry-on 137,143</c>); null or empty: any non-zero exit code.</summary>
    public IReadOnlyList<int>? RetryOn { get; init; }

    /// <summary>Jobs that must succeed before this one runs (<c>--after ID,ID</c>).</summary>
    public IReadOnlyList<string>? After { get; init; }

    /// <summary>Jobs that must end, whatever the outcome, before this one runs (<c>--after-any ID,ID</c>).</summary>
    public IReadOnlyList<string>? AfterAny { get; init; }
}
