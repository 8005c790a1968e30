using Atlas.Core.Storage;
using Atlas.Testing;

namespace Atlas.Core.Tests.Storage;

public sealed class LocalRedisPasswordTests : IDisposable
{
    private readonly TempFolder _data = new("atlas-local-password");

    public void Dispose() => _data.Dispose();

    [Fact]
    public void Save_FirstRun_KeptInModeSixHundredFileAndNeverReplaced()
    {
        LocalRedisPassword.Read(_data.Path).ShouldBeNull();
        var password = LocalRedisPassword.Generate();

        LocalRedisPassword.Save(_data.Path, password);
        LocalRedisPassword.Save(_data.Path, LocalRedisPassword.Generate());

        LocalRedisPassword.Read(_data.Path).ShouldBe(password);
        password.Length.ShouldBe(32);
        File.GetUnixFileMode(LocalRedisPassword.PathFor(_data.Path)).ShouldBe(UnixFileMode.UserRead | UnixFileMode.UserWrite);
    }
}
