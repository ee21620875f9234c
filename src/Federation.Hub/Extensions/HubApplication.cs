namespace Federation.Hub.Extensions;

/// <summary>Builds the hub: the table of contents of its wiring.</summary>
public static class HubApplication
{
    public static WebApplication Build(string[] args, Action<WebApplicationBuilder>? configure = null)
    {
        var builder = WebApplication.CreateBuilder(args);
        configure?.Invoke(builder);
        return builder.Build();
    }
}
