using System.Globalization;
using System.Reflection;
using System.Text.Json.Nodes;
using Mall.Domain.Common;
using Microsoft.Azure.Functions.Worker;
using Microsoft.OpenApi;

namespace Mall.Functions.Http;

/// <summary>
/// The API's OpenAPI 3.1 document, generated from the code: every [Function] with an HttpTrigger (route,
/// methods) and its contract attributes (<see cref="CalledByAttribute"/>, <see cref="AcceptsAttribute"/>,
/// <see cref="AnswersAttribute"/>, <see cref="RefusesAttribute"/>), schemas from the contract types as the
/// mall's JSON options write them. Served at GET /api/openapi.json; nothing of it is kept by hand.
/// </summary>
public static class ApiDocument
{
    /// <summary>host.json's extensions.http.routePrefix: the document's paths are relative to it.</summary>
    public const string RoutePrefix = "api";

    public const string CustomerScheme = "customerSession";
    public const string OperatorScheme = "operatorSession";
    public const string WeChatPayScheme = "wechatPaySignature";

    /// <summary>Codes a webhook answers besides <see cref="ErrorCode"/>s: the rejections, as PaymentFunctions spells them.</summary>
    public static readonly IReadOnlyList<string> WebhookRejections =
        Enum.GetNames<Mall.Application.WeChat.WebhookRejection>().Select(n => n.ToUpperInvariant()).ToList();

    private static readonly Lazy<string> Serialized = new(() => Write(Build(typeof(ApiDocument).Assembly)));

    /// <summary>The document of this function app, as served.</summary>
    public static string Json => Serialized.Value;

    /// <summary>
    /// The part of the document the mini-program calls (customer and public routes; no manage/..., webhooks or
    /// docs), from which clients/miniprogram/mall-api.d.ts is generated.
    /// </summary>
    public static string MiniProgramJson => Write(Build(typeof(ApiDocument).Assembly, f =>
        f.Caller is Caller.Anyone or Caller.Visitor or Caller.Customer && !f.Route.StartsWith("manage/", StringComparison.Ordinal) && f.Capability != "Platform"));

    /// <summary>What every route of its kind may refuse with, beyond its own <see cref="RefusesAttribute"/>.</summary>
    public static IEnumerable<ErrorCode> ImpliedRefusals(Caller caller, bool readsBody)
    {
        yield return ErrorCode.InternalError;
        yield return ErrorCode.Busy;

        // Every route value and every ...Id query parameter is checked before the function runs (Api.EnsureIdsAreWellFormed).
        yield return ErrorCode.ValidationFailed;
        if (caller is Caller.Customer or Caller.Operator or Caller.Visitor)
        {
            yield return ErrorCode.Unauthorized;
            yield return ErrorCode.Forbidden;
        }

        if (readsBody || caller == Caller.WeChatPay)
        {
            yield return ErrorCode.MalformedJson;
            yield return ErrorCode.PayloadTooLarge;
        }

        if (readsBody)
        {
            yield return ErrorCode.UnsupportedMediaType;
        }
    }

    public static OpenApiDocument Build(Assembly functions, Func<HttpFunction, bool>? include = null)
    {
        var document = new OpenApiDocument
        {
            Info = new OpenApiInfo
            {
                Title = "WeChat mall API",
                Version = functions.GetName().Version?.ToString() ?? "1.0",
                Description = "Customer routes take the session token of POST /auth/login, operator routes (manage/...) the token of POST /manage/auth/login, both as 'Authorization: Bearer <token>'. "
                    + "Errors are RFC 7807 problems (application/problem+json) whose `code` is one of ErrorCode; each operation lists the codes it may answer per status. Money is in fen (long), rates in basis points, times in UTC.",
            },
            Servers = [new OpenApiServer { Url = "/" + RoutePrefix }],
            Paths = [],
            Components = new OpenApiComponents
            {
                Schemas = new Dictionary<string, IOpenApiSchema>(),
                SecuritySchemes = new Dictionary<string, IOpenApiSecurityScheme>
                {
                    [CustomerScheme] = new OpenApiSecurityScheme { Type = SecuritySchemeType.Http, Scheme = "bearer", Description = "A customer's session token (POST /auth/login)." },
                    [OperatorScheme] = new OpenApiSecurityScheme { Type = SecuritySchemeType.Http, Scheme = "bearer", Description = "An operator's session token (POST /manage/auth/login)." },
                    [WeChatPayScheme] = new OpenApiSecurityScheme
                    {
                        Type = SecuritySchemeType.ApiKey,
                        In = ParameterLocation.Header,
                        Name = "Wechatpay-Signature",
                        Description = "WeChat Pay's webhook signature (with Wechatpay-Timestamp, -Nonce and -Serial) over the exact body, checked against the platform certificate.",
                    },
                },
            },
        };
        var schemas = new ContractSchemas(document);
        document.Components.Schemas["ErrorCode"] = new OpenApiSchema
        {
            Type = JsonSchemaType.String,
            Description = "Every problem code the API may answer; clients switch on it. Each operation narrows it to the codes of each status it may answer.",
            Enum = Enum.GetValues<ErrorCode>().Select(c => (JsonNode)JsonValue.Create(c.ToWire())).ToList(),
        };
        var problem = schemas.For(typeof(ApiResults.ProblemBody));
        var webhookFailure = schemas.For(typeof(WebhookFailure));

        var httpFunctions = HttpFunctions(functions).Where(include ?? (_ => true)).OrderBy(f => f.Route, StringComparer.Ordinal).ToList();
        document.Tags = httpFunctions.Select(f => f.Capability).Distinct().Order(StringComparer.Ordinal).Select(c => new OpenApiTag { Name = c }).ToHashSet();
        foreach (var function in httpFunctions)
        {
            var path = "/" + function.Route;
            if (!document.Paths.TryGetValue(path, out var pathItem))
            {
                pathItem = new OpenApiPathItem();
                document.Paths[path] = pathItem;
            }

            foreach (var method in function.Methods)
            {
                ((OpenApiPathItem)pathItem).AddOperation(method, Operation(function, document, schemas, problem, webhookFailure));
            }
        }

        return document;
    }

    public static string Write(OpenApiDocument document)
    {
        using var text = new StringWriter(CultureInfo.InvariantCulture);
        document.SerializeAsV31(new OpenApiJsonWriter(text));
        return text.ToString();
    }

    /// <summary>One HTTP function as its attributes declare it.</summary>
    public sealed record HttpFunction(string Name, string Route, IReadOnlyList<HttpMethod> Methods, MethodInfo Method)
    {
        public Caller Caller => (Method.GetCustomAttribute<CalledByAttribute>() ?? Method.DeclaringType!.GetCustomAttribute<CalledByAttribute>())?.Caller
            ?? throw new InvalidOperationException($"{Name} ({Method.DeclaringType!.Name}.{Method.Name}) declares no [CalledBy]: on the method or its class.");

        /// <summary>The business capability: the function class's folder (Orders, Payments, ...).</summary>
        public string Capability => Method.DeclaringType!.Namespace!.Split('.')[^1];

        public IReadOnlyList<string> RouteValues { get; } = Route.Split('/').Where(s => s.StartsWith('{')).Select(s => s.Trim('{', '}')).ToList();
    }

    public static IEnumerable<HttpFunction> HttpFunctions(Assembly functions) =>
        from type in functions.GetTypes()
        from method in type.GetMethods(BindingFlags.Public | BindingFlags.Instance | BindingFlags.Static)
        let function = method.GetCustomAttribute<FunctionAttribute>()
        let trigger = method.GetParameters().Select(p => p.GetCustomAttribute<HttpTriggerAttribute>()).FirstOrDefault(t => t is not null)
        where function is not null && trigger is not null
        select new HttpFunction(
            function.Name,
            trigger.Route ?? function.Name,
            (trigger.Methods ?? ["get", "post", "put", "patch", "delete"]).Select(m => HttpMethod.Parse(m.ToUpperInvariant())).ToList(),
            method);

    private static OpenApiOperation Operation(HttpFunction function, OpenApiDocument document, ContractSchemas schemas, IOpenApiSchema problem, IOpenApiSchema webhookFailure)
    {
        var caller = function.Caller;
        var accepts = function.Method.GetCustomAttribute<AcceptsAttribute>();
        var operation = new OpenApiOperation
        {
            OperationId = function.Name,
            Tags = new HashSet<OpenApiTagReference> { new(function.Capability, document) },
            Parameters = Parameters(function, schemas).ToList(),
            Security = Security(caller, document),
            Responses = [],
            Extensions = new Dictionary<string, IOpenApiExtension> { ["x-caller"] = new JsonNodeExtension(JsonValue.Create(caller.ToString())) },
        };
        if (accepts is not null)
        {
            operation.RequestBody = new OpenApiRequestBody
            {
                Required = true,
                Content = new Dictionary<string, IOpenApiMediaType> { ["application/json"] = new OpenApiMediaType { Schema = schemas.For(accepts.Body) } },
            };
        }

        foreach (var answer in function.Method.GetCustomAttributes<AnswersAttribute>())
        {
            operation.Responses[answer.Status.ToString(CultureInfo.InvariantCulture)] = new OpenApiResponse
            {
                Description = Microsoft.AspNetCore.WebUtilities.ReasonPhrases.GetReasonPhrase(answer.Status),
                Content = answer.Body is null && answer.MediaType is null
                    ? null
                    : new Dictionary<string, IOpenApiMediaType> { [answer.MediaType ?? "application/json"] = new OpenApiMediaType { Schema = answer.Body is null ? null : schemas.For(answer.Body) } },
            };
        }

        if (operation.Responses.Count == 0)
        {
            throw new InvalidOperationException($"{function.Name} declares no [Answers]: what does it answer when it succeeds?");
        }

        var refusals = ImpliedRefusals(caller, accepts is not null)
            .Concat(function.Method.GetCustomAttribute<RefusesAttribute>()?.Codes ?? [])
            .Concat(function.Method.IsDefined(typeof(PlacesOrderAttribute)) ? PlacesOrderAttribute.OrderPlacementRefusals : [])
            .Distinct()
            .Select(code => (Status: ProblemStatus.For(code), Code: code.ToWire()));
        if (caller == Caller.WeChatPay)
        {
            // PaymentFunctions answers a rejected signature 401, any other rejection 400.
            refusals = refusals.Concat(WebhookRejections.Select(r => (Status: r is "INVALIDSIGNATURE" or "STALETIMESTAMP" or "UNKNOWNSERIAL" ? 401 : 400, Code: r)));
        }

        foreach (var status in refusals.GroupBy(r => r.Status).OrderBy(g => g.Key))
        {
            var codes = status.Select(r => r.Code).Order(StringComparer.Ordinal).ToList();
            operation.Responses[status.Key.ToString(CultureInfo.InvariantCulture)] = new OpenApiResponse
            {
                Description = $"{Microsoft.AspNetCore.WebUtilities.ReasonPhrases.GetReasonPhrase(status.Key)}: {string.Join(", ", codes)}",
                Content = new Dictionary<string, IOpenApiMediaType>
                {
                    [caller == Caller.WeChatPay ? "application/json" : "application/problem+json"] = new OpenApiMediaType
                    {
                        Schema = new OpenApiSchema
                        {
                            AllOf =
                            [
                                caller == Caller.WeChatPay ? webhookFailure : problem,
                                new OpenApiSchema
                                {
                                    Properties = new Dictionary<string, IOpenApiSchema>
                                    {
                                        ["code"] = new OpenApiSchema { Type = JsonSchemaType.String, Enum = codes.Select(c => (JsonNode)JsonValue.Create(c)).ToList() },
                                    },
                                },
                            ],
                        },
                    },
                },
            };
        }

        return operation;
    }

    /// <summary>Route values (ids), the query parameters the function declares, its paging and its Idempotency-Key header.</summary>
    private static IEnumerable<IOpenApiParameter> Parameters(HttpFunction function, ContractSchemas schemas)
    {
        static OpenApiSchema Id() => new() { Type = JsonSchemaType.String, MinLength = 1, MaxLength = Ids.MaxLength, Description = $"An id: {Ids.Rule}." };
        foreach (var name in function.RouteValues)
        {
            yield return new OpenApiParameter { Name = name, In = ParameterLocation.Path, Required = true, Schema = Id() };
        }

        foreach (var query in function.Method.GetCustomAttributes<QueryAttribute>())
        {
            yield return new OpenApiParameter
            {
                Name = query.Name,
                In = ParameterLocation.Query,
                Description = query.Description,
                Schema = query.Name.EndsWith("Id", StringComparison.Ordinal) ? Id() : QuerySchema(query.Type, schemas),
            };
        }

        if (function.Method.IsDefined(typeof(PagedAttribute)))
        {
            yield return new OpenApiParameter
            {
                Name = "pageSize",
                In = ParameterLocation.Query,
                Description = $"Items per page, {Api.DefaultPageSize} by default.",
                Schema = new OpenApiSchema { Type = JsonSchemaType.Integer, Minimum = "1", Maximum = Api.MaxPageSize.ToString(CultureInfo.InvariantCulture) },
            };
            yield return new OpenApiParameter
            {
                Name = "continuationToken",
                In = ParameterLocation.Query,
                Description = "The previous page's continuationToken; absent for the first page.",
                Schema = new OpenApiSchema { Type = JsonSchemaType.String },
            };
        }

        if (function.Method.IsDefined(typeof(IdempotentAttribute)))
        {
            yield return new OpenApiParameter
            {
                Name = IdempotentAttribute.Header,
                In = ParameterLocation.Header,
                Required = true,
                Description = "A key of the client's (e.g. a UUID) naming this request: a retry with the same key answers what the first one did.",
                Schema = new OpenApiSchema { Type = JsonSchemaType.String, MinLength = 8, MaxLength = 64, Pattern = "^[A-Za-z0-9_:.-]+$" },
            };
        }
    }

    private static IOpenApiSchema QuerySchema(Type type, ContractSchemas schemas) => type switch
    {
        _ when type == typeof(int) => new OpenApiSchema { Type = JsonSchemaType.Integer },
        _ when type == typeof(bool) => new OpenApiSchema { Type = JsonSchemaType.Boolean },
        _ when type == typeof(DateOnly) => new OpenApiSchema { Type = JsonSchemaType.String, Format = "date" },
        _ when type.IsEnum => schemas.For(type),
        _ when type == typeof(string) => new OpenApiSchema { Type = JsonSchemaType.String },
        _ => throw new InvalidOperationException($"A query parameter is read as int, bool, DateOnly, an enum or string, not {type.Name}."),
    };

    private static List<OpenApiSecurityRequirement> Security(Caller caller, OpenApiDocument document)
    {
        OpenApiSecurityRequirement Requirement(string scheme) => new() { [new OpenApiSecuritySchemeReference(scheme, document)] = [] };
        return caller switch
        {
            Caller.Customer => [Requirement(CustomerScheme)],
            Caller.Operator => [Requirement(OperatorScheme)],
            Caller.WeChatPay => [Requirement(WeChatPayScheme)],
            // Optional: an empty requirement (anonymous) or a customer session.
            Caller.Visitor => [new OpenApiSecurityRequirement(), Requirement(CustomerScheme)],
            _ => [],
        };
    }
}
