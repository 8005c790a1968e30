using Atlas.Cli;

return await AtlasCli.RunAsync(args, CliContext.FromProcess());
