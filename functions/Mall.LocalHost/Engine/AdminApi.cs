using System.Text.Json;

namespace Mall.LocalHost.Engine;

/// <summary>
/// <c>POST /admin/functions/{name}</c> with <c>{"input": "..."}</c>, as the host's admin API runs a
/// non-HTTP function (src/WebJobs.Script.WebHost/Controllers/FunctionsController.cs, Invoke): the master
/// key first (401), then the JSON body (415, 400), then the function (404); the answer is 202 Accepted
/// at once and the function runs in the background (its outcome is logged).
/// </summary>
public static class AdminApi
{
    public static void MapAdminApi(this IEndpointRouteBuilder endpoints) => endpoints.MapPost("/admin/functions/{name}", InvokeAsync);

    private static async Task<IResult> InvokeAsync(string name, HttpRequest request, MasterKey masterKey, ManualRuns runs, IReadOnlyList<FunctionDefinition> functions)
    {
        if (!masterKey.IsPresentedBy(request))
        {
            return Results.Json(new { error = "The admin API needs the host's master key in the x-functions-key header." }, statusCode: StatusCodes.Status401Unauthorized);
        }

        if (!request.HasJsonContentType())
        {
            return Results.Json(new { error = "Send Content-Type: application/json and a body like {\"input\": \"...\"}." }, statusCode: StatusCodes.Status415UnsupportedMediaType);
        }

        var (input, bodyError) = await ReadInputAsync(request);
        if (bodyError is not null)
        {
            return Results.BadRequest(new { error = bodyError });
        }

        if (runs.Find(name) is { } function)
        {
            runs.Start(function, input);
            return Results.Accepted();
        }

        var runnable = runs.All.Select(f => f.Name);
        return functions.Any(f => string.Equals(f.Name, name, StringComparison.OrdinalIgnoreCase))
            ? Results.BadRequest(new { error = $"'{name}' is not a timer or queue function; only those run through the admin API (HTTP functions are called at their route).", functions = runnable })
            : Results.NotFound(new { error = $"There is no function '{name}'.", functions = runnable });
    }

    /// <summary>The body must be a JSON object; its "input" a string, or absent.</summary>
    private static async Task<(string? Input, string? Error)> ReadInputAsync(HttpRequest request)
    {
        const string Expected = "The body must be a JSON object like {\"input\": \"...\"}";
        JsonDocument document;
        try
        {
            document = await JsonDocument.ParseAsync(request.Body, cancellationToken: request.HttpContext.RequestAborted);
        }
        catch (JsonException exception)
        {
            return (null, $"{Expected}: {exception.Message}");
        }

        using (document)
        {
            if (document.RootElement.ValueKind != JsonValueKind.Object)
            {
                return (null, Expected + ".");
            }

            var input = document.RootElement.EnumerateObject().FirstOrDefault(p => string.Equals(p.Name, "input", StringComparison.OrdinalIgnoreCase)).Value;
            return input.ValueKind switch
            {
                JsonValueKind.Undefined or JsonValueKind.Null => (null, null),
                JsonValueKind.String => (input.GetString(), null),
                _ => (null, $"'input' must be a string, not {input.ValueKind.ToString().ToLowerInvariant()}."),
            };
        }
    }
}
