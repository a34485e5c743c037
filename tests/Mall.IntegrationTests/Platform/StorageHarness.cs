using Azure.Data.Tables;
using Mall.Application.Platform;
using Mall.Domain.Common;
using Mall.Infrastructure.Messaging;
using Mall.Infrastructure.Scheduling;
using Mall.Infrastructure.Storage;
using Mall.Testing;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;

namespace Mall.IntegrationTests.Platform;

/// <summary>The storage primitives wired by hand against Azurite, with a recording event bus and a controllable clock.</summary>
public sealed class StorageHarness
{
    private StorageHarness(TableProvider tables, FakeTimeProvider time, RecordingEventBus bus, IReadOnlyList<IIntegrationEventHandler> handlers)
    {
        Tables = tables;
        Time = time;
        Bus = bus;
        Scheduler = new TableDueWorkScheduler(tables);
        Outbox = new OutboxRelay(tables, Scheduler, bus, () => handlers, time, NullLogger<OutboxRelay>.Instance);
    }

    public TableProvider Tables { get; }

    public FakeTimeProvider Time { get; }

    public RecordingEventBus Bus { get; }

    public TableDueWorkScheduler Scheduler { get; }

    public OutboxRelay Outbox { get; }

    public static async Task<StorageHarness> CreateAsync(params IIntegrationEventHandler[] handlers)
    {
        var azurite = await Azurite.InstanceAsync();
        var tables = new TableProvider(new TableServiceClient(azurite.ConnectionString), new StorageOptions { TablePrefix = Azurite.NewTablePrefix() });
        return new StorageHarness(tables, new FakeTimeProvider(new DateTimeOffset(2026, 11, 25, 2, 0, 0, TimeSpan.Zero)), new RecordingEventBus(), handlers);
    }

    public TableDocumentCollection<T> Collection<T>(string table, Func<T, IReadOnlyDictionary<string, object?>>? columns = null)
        where T : class => new(Tables, new DocumentCollectionDefinition<T>(table, columns), Outbox);

    public DueWorkProcessor Processor(params IDueWorkHandler[] handlers) =>
        new(Tables, handlers.Append(Outbox), Time, NullLogger<DueWorkProcessor>.Instance);
}

public sealed class RecordingEventBus : IEventBus
{
    private readonly List<IntegrationEvent> published = [];

    public bool Fail { get; set; }

    public IReadOnlyList<IntegrationEvent> Published
    {
        get
        {
            lock (published)
            {
                return published.ToList();
            }
        }
    }

    public Task PublishAsync(IReadOnlyList<IntegrationEvent> events, CancellationToken cancellationToken)
    {
        if (Fail)
        {
            throw new InvalidOperationException("Event bus unavailable (test).");
        }

        lock (published)
        {
            published.AddRange(events);
        }

        return Task.CompletedTask;
    }
}
