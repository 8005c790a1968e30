using Atlas.Core.Containers;
using Atlas.Worker.Runtime;

namespace Atlas.Worker.Tests.Runtime;

/// <summary>Which Docker Engine addresses Atlas accepts (the worker's validator reports the rest at start), and how images are named.</summary>
public sealed class DockerAddressTests
{
    [Fact]
    public void Resolve_Configured_WinsOverEnvironment() =>
        DockerAddress.Resolve("unix:///run/other.sock").ShouldBe(new Uri("unix:///run/other.sock"));

    [Theory]
    [InlineData("tcp://10.0.0.5:2375")]
    [InlineData("http://docker-host:2375")]
    [InlineData("unix:///var/run/docker.sock")]
    public void Resolve_Supported_IsKept(string address) =>
        DockerAddress.Resolve(address).ShouldBe(new Uri(address));

    [Theory]
    [InlineData("npipe:////./pipe/docker_engine")]
    [InlineData("https://docker-host:2376")]
    [InlineData("tcp://docker-host")]
    [InlineData("unix://")]
    [InlineData("not an address")]
    public void Resolve_Unsupported_ThrowsFormatExceptionNamingIt(string address) =>
        Should.Throw<FormatException>(() => DockerAddress.Resolve(address)).Message.ShouldContain(address);

    [Theory]
    [InlineData("busybox", "busybox", "latest")]
    [InlineData("atlas-test/busybox:1.36", "atlas-test/busybox", "1.36")]
    [InlineData("localhost:5000/app", "localhost:5000/app", "latest")]
    [InlineData("localhost:5000/app:v2", "localhost:5000/app", "v2")]
    [InlineData("python@sha256:abc", "python", "sha256:abc")]
    public void SplitReference_Image_GivesNameAndTag(string image, string name, string tag) =>
        DockerRuntime.SplitReference(image).ShouldBe((name, tag));
}
