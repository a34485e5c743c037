using Mall.Application.Platform;
using Microsoft.Extensions.DependencyInjection;

namespace Mall.EndToEndTests.Platform;

/// <summary>
/// Paths by which a raw customer id reached telemetry after the first issue-12 fixes (found by review): telemetry is
/// meant to carry the keyed pseudonym only. The mall of these tests logs everything to <see cref="Customers.CapturedLogs"/>.
/// </summary>
public sealed class TelemetryReviewTests : IAsyncLifetime
{
    private readonly Customers.CapturedLogs logs = new();
    private readonly LocalMall mall;

    public TelemetryReviewTests()
    {
        mall = new LocalMall(logs, services =>
        {
            // The bus is down for events of customers (a Service Bus outage): their deliveries fail and are retried.
            services.AddSingleton<IEventBus>(new RefusingCustomerEventsBus());
        });
    }

    public Task InitializeAsync() => mall.InitializeAsync();

    public Task DisposeAsync() => mall.DisposeAsync();

    /// <summary>
    /// Event ids of customers' events embed the raw id (customer:{id}:registered, customer:{id}:points:…, share:…:{inviteeId}:credited)
    /// and an outbox address is the writing entity's keys (Customers/{id}/…): the dispatcher's log lines of a failing,
    /// parked or never-written delivery name the customer.
    /// </summary>
    [Fact]
    public async Task A_failing_delivery_of_a_customers_event_does_not_name_the_customer_in_log_lines()
    {
        using var customer = await mall.NewCustomerAsync();
        var customerId = (await customer.GetAsync("me")).Body.GetProperty("customerId").GetString()!;

        await LocalMall.EventuallyAsync(
            () => logs.Entries.Any(entry => entry.Contains("failed (attempt", StringComparison.Ordinal) && entry.Contains(RefusingCustomerEventsBus.Refusal, StringComparison.Ordinal)),
            "the dispatcher's log line of the bus's failed delivery");

        var leaks = logs.Entries.Where(entry => entry.Contains(customerId, StringComparison.Ordinal)).ToList();
        Assert.True(leaks.Count == 0, "The customer named in log lines:\n" + string.Join('\n', leaks.Take(20)));
    }

    private sealed class RefusingCustomerEventsBus : IEventBus
    {
        public const string Refusal = "The event bus is unavailable (test)";

        public Task PublishAsync(EventEnvelope envelope, CancellationToken cancellationToken) =>
            envelope.Id.StartsWith("customer:", StringComparison.Ordinal)
                ? throw new InvalidOperationException(Refusal)
                : Task.CompletedTask;
    }
}
