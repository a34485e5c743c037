using System.Net;
using DurableTask.AzureStorage;
using DurableTask.Core;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.DurableTask;
using Microsoft.DurableTask.Client;
using Microsoft.DurableTask.Testing.Sidecar.Grpc;
using Microsoft.DurableTask.Worker;
using Microsoft.DurableTask.Worker.Grpc.Internal;
using Microsoft.Extensions.Logging.Abstractions;

namespace Mall.LocalHost.Engine;

/// <summary>
/// The durable engine of the local host: the Durable Task Azure Storage provider — the backend the
/// Durable Functions extension uses by default in Azure — on the task hub of <see cref="DurableTaskHub"/>,
/// served over gRPC by the sidecar of Microsoft.DurableTask.InProcessTestHost to the worker SDK the
/// functions are written against. Orchestrations, their timers and their events are kept in storage,
/// so a restarted host carries on where the last one stopped.
/// </summary>
public static partial class DurableTaskEngine
{
    /// <summary>Registers the engine, a worker running <paramref name="registerTasks"/>' tasks and a <see cref="DurableTaskClient"/>.</summary>
    /// <param name="sidecarPort">A free loopback port for the sidecar; one sidecar serves one worker.</param>
    public static IServiceCollection AddDurableTaskEngine(this IServiceCollection services, DurableTaskHub hub, int sidecarPort, Action<DurableTaskRegistry> registerTasks)
    {
        var address = $"http://127.0.0.1:{sidecarPort}";
        // host.json asks for DurableTask.Core at Warning; the provider logs every lease and poll at Information.
        services.AddLogging(logging => logging.AddFilter("DurableTask", LogLevel.Warning));
        services.AddSingleton(provider => new AzureStorageOrchestrationService(StorageSettings(hub, provider.GetRequiredService<ILoggerFactory>())));
        services.AddSingleton(provider => new SidecarOrchestrationService(
            provider.GetRequiredService<AzureStorageOrchestrationService>(), provider.GetRequiredService<ILogger<SidecarOrchestrationService>>()));
        // A lifecycle service: its Starting/Stopping/Stopped steps come before and after every hosted
        // service's start and stop, the worker's included (see DurableTaskSidecar).
        services.AddHostedService(provider => new DurableTaskSidecar(
            provider.GetRequiredService<AzureStorageOrchestrationService>(),
            provider.GetRequiredService<SidecarOrchestrationService>(),
            provider.GetRequiredService<ILoggerFactory>(),
            sidecarPort));
        services.AddDurableTaskWorker(worker =>
        {
            worker.UseGrpc(grpc =>
            {
                grpc.Address = address;
                // The worker takes a work-item stream without messages for 120 s as a dead connection
                // and reconnects with a growing backoff, during which nothing runs; only backends that
                // send health pings keep it alive, and this sidecar sends none.
                grpc.SetSilentDisconnectTimeout(TimeSpan.Zero);
            });
            worker.AddTasks(registerTasks);
        });
        services.AddDurableTaskClient(client =>
        {
            client.UseGrpc(address);
            client.RegisterDirectly();
        });
        return services;
    }

    /// <summary>The provider's settings: the Durable extension's defaults except where noted (docs/benchmarks.md has the measurements).</summary>
    private static AzureStorageOrchestrationServiceSettings StorageSettings(DurableTaskHub hub, ILoggerFactory loggerFactory) => new()
    {
        TaskHubName = hub.Name,
        StorageAccountClientProvider = new StorageAccountClientProvider(hub.StorageConnection),
        LoggerFactory = loggerFactory,
        // An empty queue is polled less and less often, up to this interval (default 30 s). Messages this
        // host sends wake its own pollers, but nothing wakes them for a timer coming due or for a start
        // message the provider put back for 2 s (it can be read before the client has written its
        // instance row; AzureStorage's OrchestrationSessionManager then defers it): each waits up to one
        // interval more. At 250 ms an idle host costs (PartitionCount + 1) x 4 queue reads a second.
        MaxQueuePollingInterval = TimeSpan.FromMilliseconds(250),
        // One host, one worker: two control queues fetch in parallel as fast as four (default) here, for
        // fewer idle reads. Fixed when a task hub is created.
        PartitionCount = 2,
        // The provider's default (the extension's is 10 per core): a burst of starts runs in one wave.
        MaxConcurrentTaskOrchestrationWorkItems = 100,
        // The extension's default: activities do the real work (storage, WeChat).
        MaxConcurrentTaskActivityWorkItems = 10 * Environment.ProcessorCount,
        // As the extension sets it: starting an instance id that is running is an error, not a no-op.
        ThrowExceptionOnInvalidDedupeStatus = true,
        // WorkerId stays the default, the machine name: the same across restarts, so a restarted host
        // takes its partitions back at once instead of waiting out another owner's 30 s leases.
    };

    /// <summary>
    /// Hosts the sidecar on its own loopback port and orders the engine's start and stop around the
    /// worker: the task hub exists before anything uses it; on stop, the sidecar finishes the work
    /// items in flight while the worker is still connected to complete them, then the provider
    /// releases its partition leases, and only then do the worker and the sidecar go.
    /// </summary>
    private sealed partial class DurableTaskSidecar(
        AzureStorageOrchestrationService storage,
        SidecarOrchestrationService service,
        ILoggerFactory loggerFactory,
        int port) : IHostedLifecycleService, IAsyncDisposable
    {
        private readonly ILogger logger = loggerFactory.CreateLogger<DurableTaskSidecar>();
        private WebApplication? sidecar;
        private Task? stopping;

        public async Task StartingAsync(CancellationToken cancellationToken)
        {
            // The sidecar's CreateTaskHub does not wait for the hub; clients may call before the worker connects.
            await storage.CreateIfNotExistsAsync();
            var builder = WebApplication.CreateEmptyBuilder(new WebApplicationOptions());
            builder.WebHost.UseKestrelCore().ConfigureKestrel(kestrel =>
                kestrel.Listen(IPAddress.Loopback, port, listen => listen.Protocols = HttpProtocols.Http2));
            builder.Services.AddSingleton<ILoggerFactory>(new WithoutLifetimeMessages(loggerFactory));
            builder.Services.AddSingleton<IHostLifetime, OwnedLifetime>();
            builder.Services.AddRouting().AddGrpc();
            builder.Services.AddSingleton<IOrchestrationService>(service);
            builder.Services.AddSingleton<IOrchestrationServiceClient>(storage);
            // One server for every call: it holds the worker's stream and the work items in flight.
            builder.Services.AddSingleton<TaskHubGrpcServer>();
            sidecar = builder.Build();
            sidecar.MapGrpcService<TaskHubGrpcServer>();
            // Created now, not at the first call, so that a stop reaches it even if nothing ever called.
            sidecar.Services.GetRequiredService<TaskHubGrpcServer>();
            // The server starts the provider once the worker connects (TaskHubGrpcServer.OnApplicationStarted).
            await sidecar.StartAsync(cancellationToken);
        }

        public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

        public Task StartedAsync(CancellationToken cancellationToken) => Task.CompletedTask;

        // A host stopped on Ctrl-C is stopped again when disposed; the engine stops (or gives up) once.
        public Task StoppingAsync(CancellationToken cancellationToken) => stopping ??= StopEngineAsync(cancellationToken);

        private async Task StopEngineAsync(CancellationToken cancellationToken)
        {
            if (sidecar is null)
            {
                return;
            }

            // The server drains its dispatchers and stops the provider when its application stops.
            sidecar.Lifetime.StopApplication();
            try
            {
                await service.Stopped.WaitAsync(cancellationToken);
            }
            catch (OperationCanceledException)
            {
                // Not waited for: with storage out of reach the provider keeps trying to hand its leases
                // back for up to 10 minutes (TablePartitionManager). A restarted host on the same
                // WorkerId takes them back at once.
                LogStopAbandoned(logger);
                _ = service.StopAsync(isForced: true);
            }
        }

        public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

        public async Task StoppedAsync(CancellationToken cancellationToken)
        {
            if (sidecar is not null)
            {
                await sidecar.StopAsync(cancellationToken);
            }
        }

        public async ValueTask DisposeAsync()
        {
            if (sidecar is not null)
            {
                await sidecar.DisposeAsync();
            }
        }

        [LoggerMessage(Level = LogLevel.Warning, Message = "The durable engine had not stopped when the host's shutdown timeout passed (work items still running, or storage out of reach); the host stops without it, and what did not finish runs again after the next start")]
        private static partial void LogStopAbandoned(ILogger logger);
    }

    /// <summary>
    /// The host's logging, less the sidecar web host's "Now listening on" lines: its address is internal,
    /// and next to the host's own it misleads.
    /// </summary>
    private sealed class WithoutLifetimeMessages(ILoggerFactory hostLogging) : ILoggerFactory
    {
        public ILogger CreateLogger(string categoryName) =>
            categoryName == "Microsoft.Hosting.Lifetime" ? NullLogger.Instance : hostLogging.CreateLogger(categoryName);

        public void AddProvider(ILoggerProvider provider) => hostLogging.AddProvider(provider);

        // The host's factory: the host disposes it.
        public void Dispose()
        {
        }
    }

    /// <summary>The sidecar stops when the local host says so, not on its own at Ctrl-C.</summary>
    private sealed class OwnedLifetime : IHostLifetime
    {
        public Task WaitForStartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

        public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    }
}
