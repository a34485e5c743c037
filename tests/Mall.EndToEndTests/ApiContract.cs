using System.Text.Json;
using System.Text.Json.Nodes;

namespace Mall.EndToEndTests;

/// <summary>
/// The API document (GET /api/openapi.json) as a checker of responses: the status must be one the route
/// declares, and the body must match the status's schema — no field the schema does not name, every required
/// field present, and a problem's code one the route declares for that status. The JSON Schema subset the
/// generator writes is checked here: $ref, allOf, type, enum, properties, required, additionalProperties, items.
/// </summary>
public sealed class ApiContract(JsonObject document)
{
    private readonly List<(string Template, string[] Segments)> paths = document["paths"]!.AsObject()
        .Select(p => (p.Key, p.Key.Trim('/').Split('/')))
        // Literal segments first: /orders/preview before /orders/{orderId}.
        .OrderByDescending(p => p.Item2.Count(s => !s.StartsWith('{')))
        .ToList();

    public JsonObject Document => document;

    public static ApiContract Parse(string json) => new(JsonNode.Parse(json)!.AsObject());

    /// <summary>
    /// What is wrong with a response to <paramref name="method"/> <paramref name="path"/> (relative to the route
    /// prefix), or null when it keeps the contract; routes the document does not have are the host's, not checked.
    /// </summary>
    public string? Violation(string method, string path, int status, string? mediaType, string body)
    {
        var operation = Operation(method, path, out var template);
        if (operation is null)
        {
            return null;
        }

        var where = $"{method} {template} answered {status}";
        if (operation["responses"]?[status.ToString(System.Globalization.CultureInfo.InvariantCulture)] is not JsonObject response)
        {
            return $"{where}, a status the document does not declare for it ({string.Join(", ", operation["responses"]!.AsObject().Select(r => r.Key))}){Code(body)}.";
        }

        if (response["content"] is not JsonObject content)
        {
            return body.Length == 0 ? null : $"{where} with a body, and the document declares none.";
        }

        var json = mediaType is not null && (mediaType == "application/json" || mediaType.EndsWith("+json", StringComparison.Ordinal));
        var declared = content.FirstOrDefault(c => c.Key == mediaType || (json && c.Key.EndsWith("json", StringComparison.Ordinal)));
        if (declared.Value is null)
        {
            return $"{where} as {mediaType ?? "nothing"}; the document declares {string.Join(", ", content.Select(c => c.Key))}.";
        }

        if (declared.Value["schema"] is not JsonNode schema || !json)
        {
            return null;
        }

        if (body.Length == 0)
        {
            return $"{where} without the body the document declares.";
        }

        var errors = new List<string>();
        Check(schema, JsonNode.Parse(body), "$", errors);
        return errors.Count == 0 ? null : $"{where}, a body that does not match the document: {string.Join("; ", errors.Take(10))}.";
    }

    /// <summary>
    /// What is wrong with a request: a query parameter or an Idempotency-Key header its route does not declare (a
    /// client generated from the document could not send it); null when it keeps the contract.
    /// </summary>
    public string? RequestViolation(string method, string path, string query, IEnumerable<string> headers)
    {
        var operation = Operation(method, path, out var template);
        if (operation is null)
        {
            return null;
        }

        var declared = (operation["parameters"]?.AsArray() ?? [])
            .Select(p => (Name: p!["name"]!.GetValue<string>(), In: p["in"]!.GetValue<string>()))
            .ToHashSet();
        var sent = query.TrimStart('?').Split('&', StringSplitOptions.RemoveEmptyEntries).Select(pair => (Name: Uri.UnescapeDataString(pair.Split('=')[0]), In: "query"))
            .Concat(headers.Where(h => h.Equals("Idempotency-Key", StringComparison.OrdinalIgnoreCase)).Select(_ => (Name: "Idempotency-Key", In: "header")));
        var undeclared = sent.Where(p => !declared.Contains(p)).Select(p => $"{p.In} parameter {p.Name}").Distinct().ToList();
        return undeclared.Count == 0 ? null : $"{method} {template} was sent {string.Join(", ", undeclared)}, which the document does not declare.";
    }

    private JsonObject? Operation(string method, string path, out string template)
    {
        var segments = path.Split('?')[0].Trim('/').Split('/');
        foreach (var (candidate, templateSegments) in paths)
        {
            if (templateSegments.Length == segments.Length
                && templateSegments.Zip(segments).All(p => p.First.StartsWith('{') || string.Equals(p.First, p.Second, StringComparison.OrdinalIgnoreCase))
                && document["paths"]![candidate]![method.ToLowerInvariant()] is JsonObject operation)
            {
                template = candidate;
                return operation;
            }
        }

        template = path;
        return null;
    }

    private void Check(JsonNode schema, JsonNode? value, string at, List<string> errors)
    {
        if (schema["$ref"] is JsonValue reference)
        {
            Check(Resolve(reference.GetValue<string>()), value, at, errors);
            return;
        }

        foreach (var part in schema["allOf"]?.AsArray() ?? [])
        {
            Check(part!, value, at, errors);
        }

        if (schema["type"] is JsonNode type && !HasType(type, value))
        {
            errors.Add($"{at} is {Kind(value)}, not {type.ToJsonString()}");
            return;
        }

        if (schema["enum"] is JsonArray values && !values.Any(v => JsonNode.DeepEquals(v, value)))
        {
            errors.Add($"{at} is {value?.ToJsonString()}, not one of {values.ToJsonString()}");
        }

        if (value is JsonObject fields)
        {
            var properties = schema["properties"]?.AsObject();
            foreach (var required in schema["required"]?.AsArray() ?? [])
            {
                if (!fields.ContainsKey(required!.GetValue<string>()))
                {
                    errors.Add($"{at}.{required} is required and missing");
                }
            }

            foreach (var (name, field) in fields)
            {
                if (properties?[name] is JsonNode property)
                {
                    Check(property, field, $"{at}.{name}", errors);
                }
                else if (schema["additionalProperties"] is JsonNode additional)
                {
                    if (additional is JsonValue allowed && allowed.GetValueKind() == JsonValueKind.False)
                    {
                        errors.Add($"{at}.{name} is not in the document");
                    }
                    else if (additional is JsonObject)
                    {
                        Check(additional, field, $"{at}.{name}", errors);
                    }
                }
            }
        }

        if (value is JsonArray items && schema["items"] is JsonNode itemSchema)
        {
            for (var i = 0; i < items.Count; i++)
            {
                Check(itemSchema, items[i], $"{at}[{i}]", errors);
            }
        }
    }

    private JsonNode Resolve(string reference)
    {
        const string prefix = "#/components/schemas/";
        return reference.StartsWith(prefix, StringComparison.Ordinal) && document["components"]?["schemas"]?[reference[prefix.Length..]] is JsonNode target
            ? target
            : throw new InvalidOperationException($"The document refers to {reference}, which it does not have.");
    }

    private static bool HasType(JsonNode type, JsonNode? value) =>
        type is JsonArray types ? types.Any(t => HasType(t!, value)) : type.GetValue<string>() switch
        {
            "object" => value is JsonObject,
            "array" => value is JsonArray,
            "string" => value?.GetValueKind() == JsonValueKind.String,
            "boolean" => value?.GetValueKind() is JsonValueKind.True or JsonValueKind.False,
            "number" => value?.GetValueKind() == JsonValueKind.Number,
            "integer" => value?.GetValueKind() == JsonValueKind.Number && value.AsValue().TryGetValue<long>(out _),
            "null" => value is null,
            _ => true,
        };

    private static string Kind(JsonNode? value) => value is null ? "null" : value.GetValueKind().ToString().ToLowerInvariant();

    private static string Code(string body)
    {
        try
        {
            return JsonNode.Parse(body)?["code"] is JsonValue code ? $", code {code}" : string.Empty;
        }
        catch (JsonException)
        {
            return string.Empty;
        }
    }
}

/// <summary>
/// Checks every request and response of the end-to-end tests against the API document: a query parameter or
/// Idempotency-Key the route does not declare, or a response that breaks it, fails the request (and so the test). The document is the one the host serves, read once.
/// </summary>
public sealed class ContractCheckingHandler(Func<Task<ApiContract>> contract) : DelegatingHandler(new HttpClientHandler())
{
    /// <summary>Marks a request that probes a route with what it does not declare on purpose (robustness tests): only its response is checked.</summary>
    public static readonly HttpRequestOptionsKey<bool> OffContract = new("mall.offContract");

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var path = request.RequestUri!.AbsolutePath;
        const string prefix = "/api/";

        // Kestrel (like Azure's front end) refuses a NUL in the path with an empty 400 before any function runs.
        if (!path.StartsWith(prefix, StringComparison.Ordinal) || path.Contains("%00", StringComparison.Ordinal))
        {
            return await base.SendAsync(request, cancellationToken);
        }

        if (!(request.Options.TryGetValue(OffContract, out var offContract) && offContract)
            && (await contract()).RequestViolation(request.Method.Method, path[prefix.Length..], request.RequestUri.Query, request.Headers.Select(h => h.Key)) is { } undeclared)
        {
            throw new ContractViolationException(undeclared);
        }

        var response = await base.SendAsync(request, cancellationToken);

        await response.Content.LoadIntoBufferAsync(cancellationToken);
        var body = response.Content.Headers.ContentEncoding.Count == 0 ? await response.Content.ReadAsStringAsync(cancellationToken) : string.Empty;
        var violation = (await contract()).Violation(request.Method.Method, path[prefix.Length..], (int)response.StatusCode, response.Content.Headers.ContentType?.MediaType, body);
        if (violation is not null)
        {
            response.Dispose();
            throw new ContractViolationException(violation);
        }

        return response;
    }
}

public sealed class ContractViolationException(string message) : Exception("The API broke its document (GET /api/openapi.json): " + message);
