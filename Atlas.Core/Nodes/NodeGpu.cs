namespace Atlas.Core.Nodes;

/// <summary>One GPU a node has, as written in the node's <c>gpuInfo</c> field.</summary>
/// <param name="Id">The id jobs are given (<c>CUDA_VISIBLE_DEVICES</c>, the device request): nvidia-smi's index, or a declared id.</param>
/// <param name="Model">The model nvidia-smi reports (<c>NVIDIA H100 80GB HBM3</c>); <c>declared</c> for one from configuration.</param>
/// <param name="MemoryMiB">Its memory in MiB; 0 when unknown (declared).</param>
public sealed record NodeGpu(string Id, string Model, long MemoryMiB);
