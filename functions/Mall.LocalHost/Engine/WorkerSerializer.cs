using Azure.Core.Serialization;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Extensions.Options;

namespace Mall.LocalHost.Engine;

/// <summary>The worker's serializer: the app's WorkerOptions.Serializer, or the worker's default (JSON, property names case-insensitive).</summary>
public static class WorkerSerializer
{
    /// <summary>azure-functions-dotnet-worker src/DotNetWorker/Hosting/ServiceCollectionExtensions.cs, ConfigureJsonSerializerOptions.</summary>
    private static readonly ObjectSerializer Default = new JsonObjectSerializer(new System.Text.Json.JsonSerializerOptions { PropertyNameCaseInsensitive = true });

    public static ObjectSerializer For(IServiceProvider services) => services.GetService<IOptions<WorkerOptions>>()?.Value.Serializer ?? Default;
}
