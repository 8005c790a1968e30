using System.Net.Http.Json;
using Atlas.Core.Net;
using Atlas.Testing;
using Microsoft.AspNetCore.Mvc;

namespace Atlas.Gateway.Tests.Routing;

/// <summary>With the only master's port refusing connections, the gateway says so in a ProblemDetails.</summary>
public sealed class NoMasterTests(RedisServer redis) : IClassFixture<RedisServer>
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Get_NoMasterAnswers_ProblemDetailsWithReason()
    {
        await using var gateway = GatewayHost.Create(redis.ConnectionString, [$"http://127.0.0.1:{LoopbackPorts.Next()}"]);
        using var client = gateway.CreateClient();

        using var response = await client.GetAsync("/api/v1/nodes", Ct);

        ((int)response.StatusCode).ShouldBeOneOf(502, 503);
        response.Content.Headers.ContentType?.MediaType.ShouldBe("application/problem+json");
        var problem = await response.Content.ReadFromJsonAsync<ProblemDetails>(Ct);
        problem.ShouldNotBeNull();
        problem.Status.ShouldBe((int)response.StatusCode);
        problem.Title.ShouldBe("No master answered.");
        problem.Detail.ShouldNotBeNullOrWhiteSpace();
    }
}
