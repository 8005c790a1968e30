using Xunit;
namespace Atlas.Testing;

/// <summary>
/// What a test does when a real dependency is missing: in CI (<c>CI=true</c>) it fails, so a
/// broken setup is never a green run; on a developer's machine it is skipped with the reason.
/// </summary>
public static class TestEnvironment
{
    public static bool IsCi =>
        string.Equals(Environment.GetEnvironmentVariable("CI"), "true", StringComparison.OrdinalIgnoreCase);

    /// <summary>Fails (CI) or skips (locally) the current test because <paramref name="what"/> is missing.</summary>
    public static Exception Missing(string what)
    {
        var message = $"{what} is not available. Run `bash eng/test.sh`, which installs and starts it.";
        if (IsCi)
        {
            return new InvalidOperationException(message);
        }
        Assert.Skip(message);
        return new InvalidOperationException(message); // not reached: Assert.Skip throws
    }
}
