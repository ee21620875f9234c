using Federation.Cli.Infrastructure;

return await FedctlApp.RunAsync(args);
