using System.Text.Json;
using Azure;
using Azure.Storage.Blobs;
using Azure.Storage.Blobs.Specialized;
using Microsoft.Azure.Functions.Worker;

namespace Mall.LocalHost.Engine;

/// <summary>
/// What the host keeps of its own in the AzureWebJobsStorage account, where the Functions host keeps it — the
/// azure-webjobs-hosts container — so that local hosts on one storage account share it as Azure's instances do:
/// <list type="bullet">
/// <item>timer schedule status, <c>timers/{hostId}/Host.Functions.{name}/status</c> (azure-webjobs-sdk-extensions
/// src/WebJobs.Extensions.Timers.Storage/StorageScheduleMonitor.cs);</item>
/// <item>listener locks, leases on <c>locks/{hostId}/Host.Functions.{name}.Listener</c> (azure-webjobs-sdk
/// src/Microsoft.Azure.WebJobs.Host.Storage/Singleton/BlobLeaseDistributedLockManager.cs; SingletonListener,
/// SingletonManager.FormatLockId): one host at a time listens for a timer ([Singleton(Mode = SingletonMode.Listener)] on TimerListener).</item>
/// </list>
/// Functions are "Host.Functions.{name}" there, the type and method the script host generates for them (ScriptHost.GeneratedTypeName).
/// </summary>
public sealed partial class HostStorage(BlobContainerClient container, string hostId, ILogger<HostStorage> logger)
{
    public const string ContainerName = "azure-webjobs-hosts";

    /// <summary>SingletonOptions.ListenerLockPeriod; the lease is renewed at half of it (SingletonManager.CreateLeaseRenewalTimer).</summary>
    public static readonly TimeSpan ListenerLockPeriod = TimeSpan.FromSeconds(60);

    /// <summary>SingletonOptions.ListenerLockRecoveryPollingInterval: how often a host without the lock tries again.</summary>
    public static readonly TimeSpan ListenerLockRecoveryPollingInterval = TimeSpan.FromMinutes(1);

    private static readonly JsonSerializerOptions StatusJson = new();

    public string HostId => hostId;

    /// <param name="connectionString">AzureWebJobsStorage's.</param>
    /// <param name="functionAppDirectory">The app's root, the host's ScriptPath (it is part of a local host id).</param>
    public static HostStorage Create(string connectionString, IConfiguration configuration, string functionAppDirectory, ILogger<HostStorage> logger) =>
        new(new BlobServiceClient(connectionString).GetBlobContainerClient(ContainerName), HostIdFor(configuration, functionAppDirectory), logger);

    /// <summary>
    /// azure-functions-host src/WebJobs.Script/Host/ScriptHostIdProvider.cs: the AzureFunctionsWebHost:hostid setting, or
    /// outside Azure the machine name (letters and digits) and a stable hash of the app's path, at most 32 characters,
    /// lower case, without a trailing '-'.
    /// </summary>
    public static string HostIdFor(IConfiguration configuration, string functionAppDirectory)
    {
        if (configuration["AzureFunctionsWebHost:hostid"] is { } configured)
        {
            return configured;
        }

        var machine = string.Concat(Environment.MachineName.Where(char.IsLetterOrDigit));
        var id = $"{machine}-{Math.Abs(StableHash(functionAppDirectory))}";
        return (id.Length > 32 ? id[..32] : id).ToLowerInvariant().TrimEnd('-');
    }

    /// <summary>StorageScheduleMonitor.GetStatusAsync: null when none is recorded.</summary>
    public async Task<ScheduleStatus?> GetStatusAsync(string function, CancellationToken cancellationToken)
    {
        try
        {
            var content = await container.GetBlobClient(StatusPath(function)).DownloadContentAsync(cancellationToken);
            var status = content.Value.Content.ToObjectFromJson<ScheduleStatus>(StatusJson);
            // Azure's hosts write local times with their offset; this host compares UTC times.
            return status is null ? null : new ScheduleStatus { Last = InUtc(status.Last), Next = InUtc(status.Next), LastUpdated = InUtc(status.LastUpdated) };
        }
        catch (RequestFailedException exception) when (exception.Status == 404)
        {
            return null;
        }
    }

    /// <summary>StorageScheduleMonitor.UpdateStatusAsync: best effort, a failure is logged.</summary>
    public async Task UpdateStatusAsync(string function, ScheduleStatus status)
    {
        try
        {
            await container.CreateIfNotExistsAsync();
            await container.GetBlobClient(StatusPath(function)).UploadAsync(BinaryData.FromObjectAsJson(status, StatusJson), overwrite: true);
        }
        catch (Exception exception) when (exception is RequestFailedException or IOException or HttpRequestException)
        {
            LogStatusUpdateFailed(logger, exception, function);
        }
    }

    /// <summary>The function's listener lock, or null while another host holds it (BlobLeaseDistributedLockManager.TryLockAsync).</summary>
    public async Task<ListenerLock?> TryAcquireListenerLockAsync(string function, CancellationToken cancellationToken)
    {
        var blob = container.GetBlobClient($"locks/{hostId}/{FullName(function)}.Listener");
        var lease = blob.GetBlobLeaseClient();
        try
        {
            await lease.AcquireAsync(ListenerLockPeriod, cancellationToken: cancellationToken);
        }
        catch (RequestFailedException exception) when (exception.Status == 404)
        {
            // No lock blob yet (or no container): create it empty, as the lock manager does, and try once more.
            await container.CreateIfNotExistsAsync(cancellationToken: cancellationToken);
            try
            {
                await blob.UploadAsync(BinaryData.FromString(string.Empty), overwrite: false, cancellationToken);
            }
            catch (RequestFailedException created) when (created.Status == 409)
            {
                // Another host created it first.
            }

            return await TryAcquireListenerLockAsync(function, cancellationToken);
        }
        catch (RequestFailedException exception) when (exception.Status == 409)
        {
            return null;
        }

        return new ListenerLock(lease, function, logger);
    }

    private static DateTime InUtc(DateTime time) => time.Kind == DateTimeKind.Unspecified ? DateTime.SpecifyKind(time, DateTimeKind.Utc) : time.ToUniversalTime();

    private string StatusPath(string function) => $"timers/{hostId}/{FullName(function)}/status";

    private static string FullName(string function) => "Host.Functions." + function;

    /// <summary>azure-functions-host src/WebJobs.Script/Utility.cs, GetStableHash.</summary>
    private static int StableHash(string value)
    {
        unchecked
        {
            var hash = 23;
            foreach (var c in value)
            {
                hash = (hash * 31) + c;
            }

            return hash;
        }
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "Function '{Function}' failed to update the timer trigger status.")]
    private static partial void LogStatusUpdateFailed(ILogger logger, Exception exception, string function);

    /// <summary>A held listener lock: renewed every half lease period; <see cref="Lost"/> cancels when a renewal fails, and disposing releases it.</summary>
    public sealed partial class ListenerLock : IAsyncDisposable
    {
        private readonly BlobLeaseClient lease;
        private readonly string function;
        private readonly ILogger logger;
        private readonly CancellationTokenSource lost = new();
        private readonly CancellationTokenSource released = new();
        private readonly Task renewing;

        internal ListenerLock(BlobLeaseClient lease, string function, ILogger logger)
        {
            (this.lease, this.function, this.logger) = (lease, function, logger);
            renewing = RenewAsync();
        }

        public CancellationToken Lost => lost.Token;

        public async ValueTask DisposeAsync()
        {
            await released.CancelAsync();
            await renewing;
            try
            {
                await lease.ReleaseAsync();
            }
            catch (RequestFailedException)
            {
                // Lost already, or storage out of reach: the lease runs out on its own.
            }

            lost.Dispose();
            released.Dispose();
        }

        private async Task RenewAsync()
        {
            try
            {
                while (true)
                {
                    await Task.Delay(ListenerLockPeriod / 2, released.Token);
                    await lease.RenewAsync(cancellationToken: released.Token);
                }
            }
            catch (OperationCanceledException) when (released.IsCancellationRequested)
            {
            }
            catch (Exception exception) when (exception is RequestFailedException or IOException or HttpRequestException)
            {
                LogLockLost(logger, exception, function);
                await lost.CancelAsync();
            }
        }

        [LoggerMessage(Level = LogLevel.Warning, Message = "Singleton lock renewal failed for the listener of {Function}; it stops listening until it holds the lock again")]
        private static partial void LogLockLost(ILogger logger, Exception exception, string function);
    }
}
