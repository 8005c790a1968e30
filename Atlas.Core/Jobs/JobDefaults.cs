namespace Atlas.Core.Jobs;

/// <summary>Values a spec gets when it leaves them out.</summary>
public static class JobDefaults
{
    /// <summary>The project of a job submitted without one.</summary>
    public const string Project = "default";
}
