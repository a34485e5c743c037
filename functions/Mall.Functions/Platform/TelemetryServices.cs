using System.Diagnostics;
using Azure.Core;
using Azure.Identity;
using Azure.Monitor.OpenTelemetry.Exporter;
using Mall.Application.Platform;
using Microsoft.Azure.Functions.Worker.OpenTelemetry;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using OpenTelemetry;
using OpenTelemetry.Metrics;
using OpenTelemetry.Trace;

namespace Mall.Functions.Platform;

/// <summary>
/// OpenTelemetry in the worker (host.json telemetryMode OpenTelemetry; the host then leaves the worker's telemetry to
/// it): the mall's spans and metrics, the worker's invocation spans, WeChat calls over HttpClient and the durable
/// client's and worker's spans, exported to Azure Monitor (APPLICATIONINSIGHTS_CONNECTION_STRING), to an OTLP
/// collector (OTEL_EXPORTER_OTLP_ENDPOINT) and, when Telemetry__ConsoleExporter asks for it, to the console.
/// </summary>
public static class TelemetryServices
{
    public const string ConnectionStringSetting = "APPLICATIONINSIGHTS_CONNECTION_STRING";
    public const string AuthenticationStringSetting = "APPLICATIONINSIGHTS_AUTHENTICATION_STRING";
    public const string OtlpEndpointSetting = "OTEL_EXPORTER_OTLP_ENDPOINT";
    public const string ConsoleExporterSetting = "Telemetry:ConsoleExporter";

    /// <summary>The Durable Task SDK's own source: scheduling an orchestration, running it and its activities.</summary>
    public const string DurableTaskSource = "Microsoft.DurableTask";

    public static IServiceCollection AddMallTelemetry(this IServiceCollection services, IConfiguration configuration)
    {
        var telemetry = services.AddOpenTelemetry()
            .UseFunctionsWorkerDefaults()
            .WithTracing(tracing => tracing
                .AddProcessor(new MallAttributesProcessor())
                .AddSource(MallTelemetry.Name, DurableTaskSource)
                .AddHttpClientInstrumentation(http =>
                {
                    http.FilterHttpRequestMessage = request => !IsStorageCall() && !IsDurableChannel(request);
                    http.EnrichWithHttpRequestMessage = (span, request) =>
                    {
                        if (IsStorageRequest(request))
                        {
                            span.SetTag("url.full", StorageResource(request.RequestUri!));
                        }
                    };
                }))
            .WithMetrics(metrics => metrics.AddMeter(MallTelemetry.Name));
        if (configuration[ConnectionStringSetting] is { Length: > 0 } connectionString)
        {
            telemetry.UseAzureMonitorExporter(exporter =>
            {
                exporter.ConnectionString = connectionString;
                exporter.Credential = EntraCredential(configuration[AuthenticationStringSetting]);
            });
        }

        if (!string.IsNullOrEmpty(configuration[OtlpEndpointSetting]))
        {
            telemetry.UseOtlpExporter();
        }

        if (configuration.GetValue<bool>(ConsoleExporterSetting))
        {
            telemetry.WithTracing(tracing => tracing.AddConsoleExporter()).WithMetrics(metrics => metrics.AddConsoleExporter());
        }

        return services;
    }

    /// <summary>
    /// The Azure Monitor ingestion credential the host takes from APPLICATIONINSIGHTS_AUTHENTICATION_STRING
    /// ("Authorization=AAD;ClientId=…"): the component accepts Entra tokens only (DisableLocalAuth).
    /// </summary>
    public static TokenCredential? EntraCredential(string? authenticationString)
    {
        var parts = (authenticationString ?? string.Empty).Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(part => part.Split('=', 2))
            .Where(pair => pair.Length == 2)
            .ToDictionary(pair => pair[0], pair => pair[1], StringComparer.OrdinalIgnoreCase);
        if (!parts.TryGetValue("Authorization", out var authorization) || !authorization.Equals("AAD", StringComparison.OrdinalIgnoreCase))
        {
            return null;
        }

        return parts.TryGetValue("ClientId", out var clientId) && clientId.Length > 0
            ? new ManagedIdentityCredential(ManagedIdentityId.FromUserAssignedClientId(clientId))
            : new ManagedIdentityCredential(ManagedIdentityId.SystemAssigned);
    }

    /// <summary>
    /// The mall's attributes where its code cannot set them. A span started under one naming an order (a WeChat call
    /// in a request for that order, a storage call) names it too. The Durable Task SDK names the instance of every
    /// span it makes (scheduling, orchestration, activity) in its own attribute; the mall's name for it goes beside
    /// it. Registered before the exporters, it runs before them when a span ends.
    /// </summary>
    private sealed class MallAttributesProcessor : BaseProcessor<Activity>
    {
        public override void OnStart(Activity data)
        {
            if (data.GetTagItem(MallTelemetry.OrderId) is null && data.Parent?.GetTagItem(MallTelemetry.OrderId) is string orderId)
            {
                data.SetTag(MallTelemetry.OrderId, orderId);
            }
        }

        public override void OnEnd(Activity data)
        {
            if (data.Source.Name == DurableTaskSource && data.GetTagItem("durabletask.task.instance_id") is string instanceId)
            {
                data.SetTag(MallTelemetry.OrchestrationId, instanceId);
            }
        }
    }

    /// <summary>The durable client's gRPC calls to the host: the Durable Task SDK's own spans say what they do.</summary>
    private static bool IsDurableChannel(HttpRequestMessage request) =>
        request.RequestUri?.AbsolutePath.StartsWith("/TaskHubSidecarService/", StringComparison.Ordinal) == true;

    /// <summary>
    /// A request of the Azure Storage SDKs (their User-Agent says which: azsdk-net-Data.Tables, azsdk-net-Storage.Queues, …).
    /// One made outside a storage span (the event ledger's markers, due work, the outbox) names the entity in its URL,
    /// and entity keys hold customer ids (a due-work row of an erasure, a visitor marker).
    /// </summary>
    private static bool IsStorageRequest(HttpRequestMessage request) =>
        request.RequestUri is not null && request.Headers.UserAgent.Any(product =>
            product.Product?.Name is { } name && (name.StartsWith("azsdk-net-Data.Tables", StringComparison.Ordinal) || name.StartsWith("azsdk-net-Storage.", StringComparison.Ordinal)));

    /// <summary>The table, queue or container a storage request went to: its URL up to the entity's keys, without the query (filters hold keys too).</summary>
    private static string StorageResource(Uri url)
    {
        var path = url.AbsolutePath;
        var keys = path.IndexOf('(', StringComparison.Ordinal);
        var segments = (keys < 0 ? path : path[..keys]).Split('/', StringSplitOptions.RemoveEmptyEntries);
        // Azurite names the account in the path (127.0.0.1:10002/devstoreaccount1/Orders), Azure in the host name.
        var accountInPath = !url.Host.Contains('.', StringComparison.Ordinal) || System.Net.IPAddress.TryParse(url.Host, out _);
        return $"{url.Scheme}://{url.Authority}/{string.Join('/', segments.Take(accountInPath ? 2 : 1))}";
    }

    /// <summary>A table call's own HTTP request: its storage span says all of it, so it is not traced twice.</summary>
    private static bool IsStorageCall() =>
        Activity.Current?.Parent?.GetTagItem("db.system.name") as string == MallTelemetry.TableStorageSystem;
}
