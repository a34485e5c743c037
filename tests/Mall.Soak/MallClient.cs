using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;

namespace Mall.Soak;

public sealed record MallResponse(HttpStatusCode Status, JsonElement Body)
{
    public bool Ok => (int)Status is >= 200 and < 300;

    public string? Code => Body.ValueKind == JsonValueKind.Object && Body.TryGetProperty("code", out var code) ? code.GetString() : null;

    public string Id(string? wrapper = null) => (wrapper is null ? Body : Body.GetProperty(wrapper)).GetProperty("id").GetString()!;
}

/// <summary>
/// A mini-program's (or the admin console's) view of the API that rides out host restarts: a request
/// that finds no host, times out or gets a 5xx is sent again, as it was, with the same Idempotency-Key —
/// which is what the soak is about: a retry must never do anything twice.
/// </summary>
public sealed class MallClient(Uri apiBase, SoakStats stats, string? forwardedFor = null) : IDisposable
{
    /// <summary>Long enough to outlast a host restart and an Azurite restart on a loaded machine.</summary>
    private static readonly TimeSpan RetryFor = TimeSpan.FromSeconds(180);

    private readonly HttpClient http = new() { BaseAddress = apiBase, Timeout = TimeSpan.FromSeconds(30) };
    private string? token;

    public void Authorize(string bearer) => token = bearer;

    public Task<MallResponse> GetAsync(string path, CancellationToken cancellationToken) => SendAsync(HttpMethod.Get, path, null, null, cancellationToken);

    public Task<MallResponse> PostAsync(string path, object body, CancellationToken cancellationToken, string? idempotencyKey = null) =>
        SendAsync(HttpMethod.Post, path, body, idempotencyKey, cancellationToken);

    public Task<MallResponse> PutAsync(string path, object body, CancellationToken cancellationToken) => SendAsync(HttpMethod.Put, path, body, null, cancellationToken);

    public Task<MallResponse> SendAsync(HttpMethod method, string path, object? body, string? idempotencyKey, CancellationToken cancellationToken) =>
        SendAsync(
            () =>
            {
                var request = new HttpRequestMessage(method, path) { Content = body is null ? null : JsonContent.Create(body) };
                if (idempotencyKey is not null)
                {
                    request.Headers.Add("Idempotency-Key", idempotencyKey);
                }

                return request;
            },
            $"{method} {path}",
            cancellationToken);

    /// <summary>Sends the request <paramref name="build"/> makes (afresh for each attempt) until the mall answers below 500.</summary>
    public async Task<MallResponse> SendAsync(Func<HttpRequestMessage> build, string what, CancellationToken cancellationToken)
    {
        var deadline = DateTime.UtcNow + RetryFor;
        for (var attempt = 1; ; attempt++)
        {
            string failure;
            try
            {
                using var request = build();
                if (token is not null)
                {
                    request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
                }

                if (forwardedFor is not null)
                {
                    request.Headers.Add("X-Forwarded-For", forwardedFor);
                }

                using var response = await http.SendAsync(request, cancellationToken);
                var text = await response.Content.ReadAsStringAsync(cancellationToken);
                var answer = new MallResponse(response.StatusCode, text.Length == 0 ? default : Parse(text));
                if ((int)response.StatusCode < 500)
                {
                    return answer;
                }

                failure = $"{(int)response.StatusCode} {answer.Code}".TrimEnd();
            }
            catch (HttpRequestException exception)
            {
                failure = exception.HttpRequestError == HttpRequestError.ConnectionError ? "connection refused" : $"http {exception.HttpRequestError}";
            }
            catch (TaskCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                failure = "timeout";
            }

            stats.Error(failure);
            if (DateTime.UtcNow > deadline)
            {
                throw new SoakRequestException($"{what} kept failing for {RetryFor.TotalSeconds:0} s ({attempt} attempts); last: {failure}");
            }

            await Task.Delay(TimeSpan.FromMilliseconds(Math.Min(2000, 250 * attempt)), cancellationToken);
        }
    }

    private static JsonElement Parse(string text)
    {
        try
        {
            return JsonDocument.Parse(text).RootElement.Clone();
        }
        catch (JsonException)
        {
            // Not JSON (say, a host's plain error page): keep the text for the report.
            return JsonSerializer.SerializeToElement(text);
        }
    }

    public void Dispose() => http.Dispose();
}

/// <summary>A request the mall never answered within the retry window (the run counts it; it is not an invariant).</summary>
public sealed class SoakRequestException(string message) : Exception(message);
