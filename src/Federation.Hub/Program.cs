using Federation.Hub.Extensions;

var app = HubApplication.Build(args);
await app.RunAsync();
