using System.Diagnostics;
using OpenTelemetry.Trace;

namespace Microsoft.Extensions.Hosting;

/// <summary>
/// Decides for spans that start a trace. A trace starts at a request or at an operation of the
/// service's own (a job's submit, claim, run); an outgoing call made on its own, with nothing
/// around it, is not recorded: the Redis commands of background loops (heartbeats, lease sweeps,
/// placement passes), a health probe. Those would each be a one-span trace, several per job, that
/// the dashboard must store and an operator must scroll past. Every other root is left to
/// <paramref name="inner"/>.
/// </summary>
public sealed class RootClientSpanSampler(Sampler inner) : Sampler
{
    private static readonly SamplingResult Skip = new(SamplingDecision.Drop);

    public override SamplingResult ShouldSample(in SamplingParameters samplingParameters) =>
        samplingParameters.Kind == ActivityKind.Client ? Skip : inner.ShouldSample(samplingParameters);
}
