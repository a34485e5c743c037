using Mall.Application.Platform;
using Mall.Domain.Common;
using Microsoft.Extensions.DependencyInjection;

namespace Mall.Testing;

/// <summary>
/// A document collection a test scripts to force an interleaving: hooks run before and after the real
/// operations, told which actor (see <see cref="ScriptedCollections.Actor"/>) is calling, so one request
/// can be held at an exact point while another overtakes it, or be made to fail there.
/// </summary>
public sealed class ScriptedCollection<T>(IDocumentCollection<T> inner) : IDocumentCollection<T>
    where T : class
{
    public Func<string?, DocumentKey, Task> BeforeFind { get; set; } = (_, _) => Task.CompletedTask;

    public Func<string?, Versioned<T>?, Task> AfterFind { get; set; } = (_, _) => Task.CompletedTask;

    public Func<string?, DocumentKey, Task> BeforeWrite { get; set; } = (_, _) => Task.CompletedTask;

    public Func<string?, DocumentKey, Task> AfterWrite { get; set; } = (_, _) => Task.CompletedTask;

    /// <summary>Runs before a replace, told the stored version and the new value (e.g. to fail only a given transition).</summary>
    public Func<Versioned<T>, T, Task> BeforeReplace { get; set; } = (_, _) => Task.CompletedTask;

    /// <summary>Runs after a replace committed: throwing here is a write that stuck but whose answer was lost.</summary>
    public Func<Versioned<T>, T, Task> AfterReplace { get; set; } = (_, _) => Task.CompletedTask;

    public async Task<Versioned<T>?> FindAsync(DocumentKey key, CancellationToken cancellationToken)
    {
        await BeforeFind(ScriptedCollections.Actor.Value, key);
        var found = await inner.FindAsync(key, cancellationToken);
        await AfterFind(ScriptedCollections.Actor.Value, found);
        return found;
    }

    public Task<Versioned<T>> InsertAsync(DocumentKey key, T value, IReadOnlyList<IntegrationEvent> events, CancellationToken cancellationToken) =>
        WriteAsync(key, () => inner.InsertAsync(key, value, events, cancellationToken));

    public Task<Versioned<T>> ReplaceAsync(Versioned<T> current, T value, IReadOnlyList<IntegrationEvent> events, CancellationToken cancellationToken) =>
        WriteAsync(current.Key, async () =>
        {
            await BeforeReplace(current, value);
            var written = await inner.ReplaceAsync(current, value, events, cancellationToken);
            await AfterReplace(current, value);
            return written;
        });

    public Task UpsertAsync(DocumentKey key, T value, CancellationToken cancellationToken) =>
        WriteAsync(key, async () =>
        {
            await inner.UpsertAsync(key, value, cancellationToken);
            return true;
        });

    public Task<bool> DeleteAsync(DocumentKey key, string? etag, CancellationToken cancellationToken) =>
        WriteAsync(key, () => inner.DeleteAsync(key, etag, cancellationToken));

    public Task<ResultPage<Versioned<T>>> QueryAsync(DocumentQuery query, string? continuationToken, int pageSize, CancellationToken cancellationToken) =>
        inner.QueryAsync(query, continuationToken, pageSize, cancellationToken);

    private async Task<TResult> WriteAsync<TResult>(DocumentKey key, Func<Task<TResult>> write)
    {
        await BeforeWrite(ScriptedCollections.Actor.Value, key);
        var result = await write();
        await AfterWrite(ScriptedCollections.Actor.Value, key);
        return result;
    }
}

public static class ScriptedCollections
{
    /// <summary>Who is calling: set at the start of each racing task; flows into everything it awaits.</summary>
    public static readonly AsyncLocal<string?> Actor = new();

    /// <summary>Runs <paramref name="work"/> on its own task as <paramref name="actor"/>.</summary>
    public static Task<T> RunAs<T>(string actor, Func<Task<T>> work) => Task.Run(() =>
    {
        Actor.Value = actor;
        return work();
    });

    /// <summary>Wraps the registered collection of <typeparamref name="T"/> in <paramref name="script"/>'s hooks.</summary>
    public static IServiceCollection Script<T>(this IServiceCollection services, Action<ScriptedCollection<T>> script)
        where T : class
    {
        var registered = services.Last(d => d.ServiceType == typeof(IDocumentCollection<T>));
        services.Remove(registered);
        services.AddSingleton<IDocumentCollection<T>>(sp =>
        {
            var scripted = new ScriptedCollection<T>((IDocumentCollection<T>)registered.ImplementationFactory!(sp));
            script(scripted);
            return scripted;
        });
        return services;
    }
}
