namespace Atlas.Testing;

/// <summary>Asks a cluster's gateway how many nodes are ready, for fixtures that wait for a cluster to be up.</summary>
public static class GatewayNodes
{
    /// <summary>The number of ready nodes, or -1 while the gateway does not answer.</summary>
    public static async Task<int> CountReadyAsync(HttpClient http, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(http);
        try
        {
            var nodes = await http.GetStringAsync(new Uri("/api/v1/nodes", UriKind.Relative), cancellationToken);
            return nodes.Split("\"ready\"").Length - 1;
        }
        catch (HttpRequestException)
        {
            return -1;
        }
        catch (TaskCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return -1;
        }
    }
}
