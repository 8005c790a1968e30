using Atlas.Core.Nodes;
using Atlas.Worker.Resources;

namespace Atlas.Worker.Tests.Resources;

public class NvidiaSmiParserTests
{
    [Fact]
    public void Parse_RealLines_IdsModelsAndMemory()
    {
        // As nvidia-smi --query-gpu=index,uuid,name,memory.total --format=csv,noheader,nounits prints them.
        var output = """
            0, GPU-5e1c2f3a-8b7d-4c6e-9f0a-1b2c3d4e5f60, NVIDIA H100 80GB HBM3, 81559
            1, GPU-a0b1c2d3-e4f5-4a6b-8c7d-9e0f1a2b3c4d, NVIDIA H100 80GB HBM3, 81559
            2, GPU-0f1e2d3c-4b5a-4968-8776-5a4b3c2d1e0f, NVIDIA A100-SXM4-40GB, 40960
            3, GPU-11111111-2222-4333-8444-555555555555, Tesla T4, 15360

            """;

        var (gpus, unreadable) = NvidiaSmiParser.Parse(output);

        gpus.ShouldBe(
        [
            new NodeGpu("0", "NVIDIA H100 80GB HBM3", 81559),
            new NodeGpu("1", "NVIDIA H100 80GB HBM3", 81559),
            new NodeGpu("2", "NVIDIA A100-SXM4-40GB", 40960),
            new NodeGpu("3", "Tesla T4", 15360),
        ]);
        unreadable.ShouldBeEmpty();
    }

    [Fact]
    public void Parse_CommaInNameAndUnknownMemoryAndCrlf_StillOneGpuEach()
    {
        var (gpus, _) = NvidiaSmiParser.Parse("0, GPU-aaaa, NVIDIA GeForce RTX 3090, Founders, 24576\r\n1, MIG-bbbb, NVIDIA Jetson, [N/A]\r\n");

        gpus.ShouldBe([new NodeGpu("0", "NVIDIA GeForce RTX 3090, Founders", 24576), new NodeGpu("1", "NVIDIA Jetson", 0)]);
    }

    [Fact]
    public void Parse_DriverErrorOrHeader_NoGpuAndTheLinesReported()
    {
        var (gpus, unreadable) = NvidiaSmiParser.Parse(
            "NVIDIA-SMI has failed because it couldn't communicate with the NVIDIA driver. Make sure that the latest NVIDIA driver is installed and running.\n" +
            "index, uuid, name, memory.total [MiB]\n");

        gpus.ShouldBeEmpty();
        unreadable.Count.ShouldBe(2);
    }

    [Fact]
    public void Parse_SameIndexTwice_KeptOnce()
    {
        var (gpus, unreadable) = NvidiaSmiParser.Parse("0, GPU-a, Tesla T4, 15360\n0, GPU-b, Tesla T4, 15360\n");

        gpus.ShouldHaveSingleItem().Id.ShouldBe("0");
        unreadable.ShouldHaveSingleItem();
    }
}
