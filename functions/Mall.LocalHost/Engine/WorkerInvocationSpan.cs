using System.Diagnostics;

namespace Mall.LocalHost.Engine;

/// <summary>
/// The isolated worker's span around each invocation, which this host stands in for since it invokes the function
/// methods itself (azure-functions-dotnet-worker src/DotNetWorker.Core/Diagnostics/Telemetry/TelemetryProvider.cs,
/// StartActivityForInvocation, with its default schema 1.17.0): "Invoke", kind Server, from the worker's source, only
/// when something listens to it (UseFunctionsWorkerDefaults does). Its parent is the trace context the host passed:
/// here the current span, i.e. the host's HTTP request span; a queue or timer invocation starts a trace.
/// </summary>
public static class WorkerInvocationSpan
{
    public const string SourceName = "Microsoft.Azure.Functions.Worker";

    private static readonly ActivitySource Source = new(SourceName);

    public static Activity? Start() => Source.StartActivity(
        "Invoke",
        ActivityKind.Server,
        parentContext: default,
        tags: [new("az.schema_url", "https://opentelemetry.io/schemas/1.17.0"), new("faas.execution", Guid.NewGuid().ToString())]);
}
