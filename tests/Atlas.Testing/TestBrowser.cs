namespace Atlas.Testing;

/// <summary>
/// The real browser the page tests drive through Playwright: Debian's chromium
/// (<c>/usr/bin/chromium</c>, or <c>ATLAS_TEST_CHROMIUM</c>), which <c>eng/test.sh</c> installs.
/// Playwright's own browser download is never used.
/// </summary>
public static class TestBrowser
{
    /// <summary>The chromium binary; fails (CI) or skips (locally) the test when there is none.</summary>
    public static string Chromium()
    {
        var path = Environment.GetEnvironmentVariable("ATLAS_TEST_CHROMIUM") ?? "/usr/bin/chromium";
        return File.Exists(path) ? path : throw TestEnvironment.Missing($"Chromium ({path})");
    }
}
