using Federation.Hub.Extensions;
using Federation.Hub.Storage;

try
{
    await HubApplication.Build(args).RunAsync();
    return 0;
}
catch (LocalRedisUnavailableException e)
{
    // One actionable line instead of a stack trace: the usual first-run problem.
    await Console.Error.WriteLineAsync("federation-hub: " + e.Message);
    return 1;
}
