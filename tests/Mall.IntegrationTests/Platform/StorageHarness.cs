using Azure.Data.Tables;
using Azure.Storage.Queues;
using Mall.Application.Platform;
using Mall.Infrastructure.Messaging;
using Mall.Infrastructure.Scheduling;
using Mall.Infrastructure.Storage;
using Mall.Testing;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;

namespace Mall.IntegrationTests.Platform;

/// <summary>
/// The storage primitives and the event path wired by hand against Azurite (tables and the dispatch
/// queue), with a recording event bus, the given subscriptions and a controllable clock.
/// </summary>
public sealed class StorageHarness
{
    private readonly IDispatchQueue dispatchQueue;
    private readonly EventOptions options;

    private StorageHarness(TableProvider tables, QueueClient queue, FakeTimeProvider time, EventOptions options, IEnumerable<EventSubscription> subscriptions)
    {
        Tables = tables;
        Queue = queue;
        this.options = options;
        Time = time;
        Scheduler = new TableDueWorkScheduler(tables);
        dispatchQueue = new GroupCommitDispatchQueue(new StorageDispatchQueue(queue));
        Dispatcher = new EventDispatcher(
            new TableOutboxStore(tables),
            dispatchQueue,
            Collection<EventDelivery>("EventDeliveries"),
            Collection<ParkedEvent>("ParkedEvents"),
            new EventSubscriptions(subscriptions),
            Bus,
            options,
            TestMetrics.Create(),
            time,
            NullLogger<EventDispatcher>.Instance);
        Pump = new EventPump(queue, Dispatcher);
    }

    public TableProvider Tables { get; }

    /// <summary>The dispatch queue itself (what the queue trigger reads).</summary>
    public QueueClient Queue { get; }

    public IDispatchQueue DispatchQueue => dispatchQueue;

    public FakeTimeProvider Time { get; }

    public RecordingEventBus Bus { get; } = new();

    public TableDueWorkScheduler Scheduler { get; }

    public EventDispatcher Dispatcher { get; }

    public EventPump Pump { get; }

    public static async Task<StorageHarness> CreateAsync(EventOptions? options = null, params EventSubscription[] subscriptions)
    {
        var azurite = await Azurite.InstanceAsync();
        var prefix = Azurite.NewTablePrefix();
        var tables = new TableProvider(new TableServiceClient(azurite.ConnectionString), new StorageOptions { TablePrefix = prefix });
        var queue = new QueueClient(azurite.ConnectionString, prefix + "-dispatch", StorageDispatchQueue.ClientOptions);
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 11, 25, 2, 0, 0, TimeSpan.Zero));
        return new StorageHarness(tables, queue, time, options ?? new EventOptions { RetryBaseDelay = TimeSpan.Zero }, subscriptions);
    }

    /// <summary>A collection as the mall registers it: the table adapter behind the outbox protocol.</summary>
    public IDocumentCollection<T> Collection<T>(string table, Func<T, IReadOnlyDictionary<string, object?>>? columns = null)
        where T : class => new OutboxDocumentCollection<T>(table, Stored<T>(table, columns), dispatchQueue, options, Time);

    /// <summary>The table adapter alone (no announcements).</summary>
    public TableDocumentCollection<T> Stored<T>(string table, Func<T, IReadOnlyDictionary<string, object?>>? columns = null)
        where T : class => new(Tables, new DocumentCollectionDefinition<T>(table, columns));

    public DueWorkProcessor Processor(params IDueWorkHandler[] handlers) =>
        new(Tables, handlers, new CustomerPseudonyms(new byte[32]), Time, NullLogger<DueWorkProcessor>.Instance);
}

public sealed class RecordingEventBus : IEventBus
{
    private readonly List<EventEnvelope> published = [];

    public bool Fail { get; set; }

    public IReadOnlyList<EventEnvelope> Published
    {
        get
        {
            lock (published)
            {
                return published.ToList();
            }
        }
    }

    public Task PublishAsync(EventEnvelope envelope, CancellationToken cancellationToken)
    {
        if (Fail)
        {
            throw new InvalidOperationException("Event bus unavailable (test).");
        }

        lock (published)
        {
            published.Add(envelope);
        }

        return Task.CompletedTask;
    }
}
