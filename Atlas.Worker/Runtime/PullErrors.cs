using Docker.DotNet.Models;

namespace Atlas.Worker.Runtime;

/// <summary>
/// Collects the errors the engine reports inside a pull's progress stream (unknown repository,
/// no registry): it answers 200 first, so they never surface as a status code. Records at once,
/// unlike <see cref="Progress{T}"/>, which posts to the thread pool and could report late.
/// </summary>
internal sealed class PullErrors : IProgress<JSONMessage>
{
    public string? First { get; private set; }

    public void Report(JSONMessage value)
    {
        var error = value?.Error?.Message;
        if (First is null && !string.IsNullOrWhiteSpace(error))
        {
            First = error;
        }
    }
}
