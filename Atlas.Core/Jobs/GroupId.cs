namespace Atlas.Core.Jobs;

/// <summary>Group ids: <c>g</c> then a <see cref="JobId"/>, so a group id is never a job id and sorts by submit time too.</summary>
public static class GroupId
{
    /// <summary>The length of every group id.</summary>
    public const int Length = JobId.Length + 1;

    public static string New(DateTimeOffset now) => "g" + JobId.New(now);

    /// <summary>True when <paramref name="value"/> has the shape of a group id.</summary>
    public static bool IsValid(string? value) => value is { Length: Length } && value[0] == 'g' && JobId.IsValid(value[1..]);
}
