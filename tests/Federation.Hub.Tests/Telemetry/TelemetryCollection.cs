namespace Federation.Hub.Tests.Telemetry;

/// <summary>Runs the telemetry tests with no other test class in parallel (see <see cref="TelemetryTests"/>).</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class TelemetryCollection
{
    public const string Name = "Telemetry (alone)";
}
