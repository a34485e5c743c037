using Mall.Domain.Common;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Mall.Application.Platform;

/// <summary>
/// One handler subscribed to one event type (and its subtypes). <see cref="Name"/> is the handler's
/// identity in delivery markers and poison records, so it must stay stable.
/// </summary>
public sealed record EventSubscription(Type EventType, string Name, Func<IntegrationEvent, EventContext, CancellationToken, Task> Run);

/// <summary>Who handles what, as registered (in one place: <c>MallApplicationServices.AddEventHandlers</c>).</summary>
public sealed class EventSubscriptions(IEnumerable<EventSubscription> subscriptions)
{
    private readonly IReadOnlyList<EventSubscription> all = subscriptions.ToList();

    public IReadOnlyList<EventSubscription> All => all;

    public IReadOnlyList<EventSubscription> For(Type eventType) => all.Where(s => s.EventType.IsAssignableFrom(eventType)).ToList();
}

public static class EventSubscriptionRegistration
{
    /// <summary>Subscribes <typeparamref name="THandler"/> (a singleton) to <typeparamref name="TEvent"/> and its subtypes.</summary>
    public static IServiceCollection AddEventHandler<TEvent, THandler>(this IServiceCollection services)
        where TEvent : IntegrationEvent
        where THandler : class, IEventHandler<TEvent>
    {
        services.TryAddSingleton<THandler>();
        services.AddSingleton(provider => new EventSubscription(
            typeof(TEvent),
            typeof(THandler).Name,
            (integrationEvent, context, cancellationToken) => provider.GetRequiredService<THandler>().HandleAsync((TEvent)integrationEvent, context, cancellationToken)));
        return services;
    }
}
