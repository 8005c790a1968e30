using System.Globalization;
using Atlas.Core.Nodes;

namespace Atlas.Worker.Resources;

/// <summary>
/// Reads the output of <c>nvidia-smi --query-gpu=index,uuid,name,memory.total --format=csv,noheader,nounits</c>:
/// one GPU a line, <c>0, GPU-5e1c…, NVIDIA H100 80GB HBM3, 81559</c>. A GPU's id is its index,
/// the number <c>CUDA_VISIBLE_DEVICES</c> and Docker's device requests take.
/// </summary>
public static class NvidiaSmiParser
{
    public const string Arguments = "--query-gpu=index,uuid,name,memory.total --format=csv,noheader,nounits";

    /// <summary>The GPUs in the output, and the lines that are not a GPU (an error message, a header), for the log.</summary>
    public static (IReadOnlyList<NodeGpu> Gpus, IReadOnlyList<string> Unreadable) Parse(string output)
    {
        ArgumentNullException.ThrowIfNull(output);
        var gpus = new List<NodeGpu>();
        var unreadable = new List<string>();
        foreach (var raw in output.Split('\n'))
        {
            var line = raw.Trim();
            if (line.Length == 0)
            {
                continue;
            }
            if (ParseLine(line) is { } gpu && !gpus.Any(g => g.Id == gpu.Id))
            {
                gpus.Add(gpu);
            }
            else
            {
                unreadable.Add(line);
            }
        }
        return (gpus, unreadable);
    }

    // index, uuid, name, memory: the name may itself hold a comma, so it is everything between.
    private static NodeGpu? ParseLine(string line)
    {
        var fields = line.Split(',');
        if (fields.Length < 4 || !int.TryParse(fields[0].Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out var index))
        {
            return null;
        }
        var uuid = fields[1].Trim();
        if (!uuid.StartsWith("GPU-", StringComparison.Ordinal) && !uuid.StartsWith("MIG-", StringComparison.Ordinal))
        {
            return null;
        }
        var name = string.Join(',', fields[2..^1]).Trim();
        // [N/A] or [Not Supported] on some boards: the GPU is there, its size is not known.
        var memory = long.TryParse(fields[^1].Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out var mib) ? mib : 0;
        return new NodeGpu(index.ToString(CultureInfo.InvariantCulture), name, memory);
    }
}
