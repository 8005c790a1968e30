using Atlas.AppHost.Options;
using Atlas.AppHost.Orchestration;

var (options, error) = AppHostOptionsParser.Parse(args);
if (error is not null)
{
    Console.Error.WriteLine($"error: {error}");
    return 2;
}
if (options!.Help)
{
    Console.WriteLine(AppHostOptionsParser.Usage);
    return 0;
}
return await new ClusterRunner(options, ConsoleWriter.ForConsole()).RunAsync();
