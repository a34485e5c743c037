using System.Net;
using System.Net.Sockets;
using System.Text.Json;
using System.Text.RegularExpressions;
using FluentValidation;
using Mall.Application.Customers;
using Mall.Application.Platform;
using Mall.Domain.Common;
using Mall.Domain.Compliance;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Net.Http.Headers;

namespace Mall.Functions.Http;

/// <summary>
/// The one place HTTP functions turn requests into use-case calls and outcomes into responses:
/// authentication, JSON reading and validation, and errors as RFC 7807 problems (never a stack trace).
/// Functions stay one-liners on top of it.
/// </summary>
public sealed partial class Api(AccessTokenService tokens, ErasedCustomers erasedCustomers, CustomerPseudonyms pseudonyms, IServiceProvider services, ILogger<Api> logger)
{
    public const int DefaultPageSize = 20;
    public const int MaxPageSize = 100;
    public const int MaxBodyBytes = 256 * 1024;

    public async Task<IActionResult> RunAsync(HttpRequest request, Func<Task<IActionResult>> action)
    {
        try
        {
            EnsureIdsAreWellFormed(request);
            if (request.RouteValues.TryGetValue("orderId", out var orderId) && orderId is string id)
            {
                MallTelemetry.TagOrder(id);
            }

            return await action();
        }
        catch (DomainException exception)
        {
            if (exception.InnerException is not null)
            {
                LogDomainFailure(logger, exception.InnerException, exception.Code.ToWire(), request.Path);
            }

            var problem = ApiResults.Problem(request, exception.Code, exception.Message, exception.FieldErrors, (exception as ComplianceRefusedException)?.Findings);
            if (exception is TooManyRequestsException throttled)
            {
                problem.Headers["Retry-After"] = ((int)throttled.RetryAfter.TotalSeconds).ToString(System.Globalization.CultureInfo.InvariantCulture);
            }

            return problem;
        }
        catch (OperationCanceledException) when (request.HttpContext.RequestAborted.IsCancellationRequested)
        {
            return ApiResults.NoContent();
        }
        catch (Exception exception)
        {
            LogUnhandled(logger, exception, request.Method, request.Path);
            return ApiResults.Problem(request, ErrorCode.InternalError, "Something went wrong on our side; it has been logged.");
        }
    }

    /// <summary>The ?days= of a report: 1–366, 30 when absent; anything else a 400 naming it, not a report of other days.</summary>
    public static int DaysParameter(HttpRequest request)
    {
        var value = request.Query["days"].ToString();
        if (string.IsNullOrEmpty(value))
        {
            return 30;
        }

        return int.TryParse(value, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var days) && days is >= 1 and <= 366
            ? days
            : throw DomainException.Validation("days", "Must be a whole number of days, 1–366.");
    }

    /// <summary>A CST calendar date in the query ("2026-12-01"); absent is null, anything else a 400 naming it.</summary>
    public static DateOnly? DateParameter(HttpRequest request, string name)
    {
        var value = request.Query[name].ToString();
        if (string.IsNullOrEmpty(value))
        {
            return null;
        }

        return DateOnly.TryParseExact(value, "yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture, System.Globalization.DateTimeStyles.None, out var date) && date.Year is >= 2000 and <= 2999
            ? date
            : throw DomainException.Validation(name, "Must be a date (yyyy-MM-dd) in the years 2000–2999.");
    }

    /// <summary>The first day of a month in the query ("2026-12"); absent is <paramref name="fallback"/>'s month, anything else a 400 naming it.</summary>
    public static DateOnly MonthParameter(HttpRequest request, string name, DateOnly fallback)
    {
        var value = request.Query[name].ToString();
        if (string.IsNullOrEmpty(value))
        {
            return new DateOnly(fallback.Year, fallback.Month, 1);
        }

        return DateOnly.TryParseExact(value + "-01", "yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture, System.Globalization.DateTimeStyles.None, out var first) && first.Year is >= 2000 and <= 2999
            ? first
            : throw DomainException.Validation(name, "Must be a month of the years 2000–2999: yyyy-MM.");
    }

    /// <summary>Runs <paramref name="action"/> for the customer the session token belongs to; 401 otherwise, also once they erased their account.</summary>
    public Task<IActionResult> ForCustomerAsync(HttpRequest request, Func<string, Task<IActionResult>> action) =>
        RunAsync(request, async () => await action(await ActiveCustomerAsync(request)));

    /// <summary>
    /// DELETE /api/me: <see cref="ForCustomerAsync"/>, except that the token of an account already erased still gets
    /// through, so a repeated deletion answers as the first did.
    /// </summary>
    public Task<IActionResult> ForErasingCustomerAsync(HttpRequest request, Func<string, Task<IActionResult>> action) =>
        RunAsync(request, () => action(Authenticate(request, Roles.Customer)));

    /// <summary>
    /// Runs <paramref name="action"/> for a visitor who may not have signed in: the customer when a token is
    /// sent (it must be a valid customer token, else 401/403, never silently anonymous), null when none is.
    /// </summary>
    public Task<IActionResult> ForVisitorAsync(HttpRequest request, Func<string?, Task<IActionResult>> action) =>
        RunAsync(request, async () => await action(request.Headers.Authorization.Count == 0 ? null : await ActiveCustomerAsync(request)));

    /// <summary>Runs <paramref name="action"/> for an operator; 401 without a valid admin token, 403 for a customer token.</summary>
    public Task<IActionResult> ForAdminAsync(HttpRequest request, Func<string, Task<IActionResult>> action) =>
        RunAsync(request, () => action(Authenticate(request, Roles.Admin)));

    /// <summary>
    /// Reads and validates a JSON body: another media type is a 415, more than <see cref="MaxBodyBytes"/> a 413,
    /// a malformed or invalid body a 400 naming the field.
    /// </summary>
    public async Task<T> BodyAsync<T>(HttpRequest request)
        where T : class
    {
        EnsureJson(request);
        var bytes = await ReadBodyAsync(request);
        T? body;
        try
        {
            body = JsonSerializer.Deserialize<T>(bytes, MallJson.Options);
        }
        catch (JsonException exception)
        {
            var where = string.IsNullOrEmpty(exception.Path) || exception.Path == "$" ? "the body" : exception.Path["$.".Length..];
            throw new DomainException(ErrorCode.MalformedJson, $"The JSON body could not be read at {where}.", new Dictionary<string, string[]>
            {
                [where] = ["Malformed JSON or a value of the wrong type."],
            });
        }

        if (body is null)
        {
            throw new DomainException(ErrorCode.MalformedJson, "A JSON object body is required.");
        }

        var validator = services.GetService<IValidator<T>>();
        if (validator is not null)
        {
            var result = await validator.ValidateAsync(body, request.HttpContext.RequestAborted);
            if (!result.IsValid)
            {
                var errors = result.Errors
                    .GroupBy(e => FieldName(e.PropertyName))
                    .ToDictionary(g => g.Key, g => g.Select(e => e.ErrorMessage).ToArray());
                throw new DomainException(ErrorCode.ValidationFailed, "Some fields are invalid: " + string.Join(", ", errors.Keys) + ".", errors);
            }
        }

        return body;
    }

    /// <summary>
    /// The body's bytes, refused with a 413 past <see cref="MaxBodyBytes"/> whether or not a Content-Length
    /// announced them (a chunked body is counted as it arrives, so it is never buffered beyond the limit).
    /// </summary>
    public static async Task<byte[]> ReadBodyAsync(HttpRequest request)
    {
        if (request.ContentLength > MaxBodyBytes)
        {
            throw TooLarge();
        }

        using var body = new MemoryStream();
        var chunk = new byte[16 * 1024];
        int read;
        while ((read = await request.Body.ReadAsync(chunk, request.HttpContext.RequestAborted)) > 0)
        {
            if (body.Length + read > MaxBodyBytes)
            {
                throw TooLarge();
            }

            body.Write(chunk, 0, read);
        }

        return body.ToArray();
    }

    /// <summary>
    /// Every route value is an id, and so is every query parameter named …Id: each must pass the shared id
    /// rule (<see cref="Ids.IsWellFormed"/>), or the request is a 400 naming it before anything reads storage.
    /// </summary>
    public static void EnsureIdsAreWellFormed(HttpRequest request)
    {
        var message = $"Must be an id: {Ids.Rule}.";
        var errors = new Dictionary<string, string[]>();
        foreach (var (name, value) in request.RouteValues)
        {
            if (value is string id && !Ids.IsWellFormed(id))
            {
                errors[name] = [message];
            }
        }

        foreach (var (name, values) in request.Query)
        {
            if (name.EndsWith("Id", StringComparison.Ordinal) && values.Any(v => !string.IsNullOrEmpty(v) && !Ids.IsWellFormed(v)))
            {
                errors[name] = [message];
            }
        }

        if (errors.Count > 0)
        {
            throw new DomainException(ErrorCode.ValidationFailed, "Some ids are not well formed: " + string.Join(", ", errors.Keys) + ".", errors);
        }
    }

    /// <summary>
    /// Who is calling, for per-address limits: the connection's remote address. In Azure that is the client as
    /// the front end reports it in X-Forwarded-For: the worker's ASP.NET Core integration runs the forwarded
    /// headers middleware (ForwardedHeaders.All, trusting the Functions host on loopback) before any function;
    /// the local host does the same. IPv6 clients count per /64, the block one subscriber is given.
    /// </summary>
    public static string ClientAddress(HttpRequest request)
    {
        var address = request.HttpContext.Connection.RemoteIpAddress;
        if (address is null)
        {
            return "unknown";
        }

        if (address.IsIPv4MappedToIPv6)
        {
            address = address.MapToIPv4();
        }

        if (address.AddressFamily != AddressFamily.InterNetworkV6)
        {
            return address.ToString();
        }

        var network = address.GetAddressBytes();
        Array.Clear(network, 8, 8);
        return $"{new IPAddress(network)}/64";
    }

    /// <summary>
    /// The Idempotency-Key header: required, 8–64 letters, digits, '-', '_', ':' or '.' (a UUID fits), so it
    /// can be part of a storage key as it is.
    /// </summary>
    public static string IdempotencyKey(HttpRequest request, string purpose)
    {
        var key = request.Headers["Idempotency-Key"].ToString();
        if (string.IsNullOrEmpty(key))
        {
            throw new DomainException(ErrorCode.IdempotencyKeyRequired, $"Send an Idempotency-Key header (e.g. a UUID) so a retried request cannot {purpose}.");
        }

        return IdempotencyKeyPattern().IsMatch(key)
            ? key
            : throw DomainException.Validation("Idempotency-Key", "Use 8–64 characters: letters, digits, '-', '_', ':' or '.'.");
    }

    /// <summary>A validator's property path as the API names fields: camelCase per segment, e.g. items[0].skuId.</summary>
    public static string FieldName(string propertyPath) =>
        string.Join('.', propertyPath.Split('.').Select(JsonNamingPolicy.CamelCase.ConvertName));

    /// <summary>Paging parameters: an opaque continuationToken and a pageSize between 1 and 100.</summary>
    public static (string? ContinuationToken, int PageSize) Paging(HttpRequest request)
    {
        var pageSize = DefaultPageSize;
        if (request.Query.TryGetValue("pageSize", out var raw) && (!int.TryParse(raw, out pageSize) || pageSize is < 1 or > MaxPageSize))
        {
            throw DomainException.Validation("pageSize", $"pageSize must be between 1 and {MaxPageSize}.");
        }

        var token = request.Query["continuationToken"].ToString();
        return (string.IsNullOrEmpty(token) ? null : token, pageSize);
    }

    /// <summary>An enum query parameter, e.g. ?status=Paid; a wrong value is a 400 listing the valid ones.</summary>
    public static TEnum? EnumQuery<TEnum>(HttpRequest request, string name)
        where TEnum : struct, Enum
    {
        var raw = request.Query[name].ToString();
        if (string.IsNullOrEmpty(raw))
        {
            return null;
        }

        return Enum.TryParse<TEnum>(raw, ignoreCase: true, out var value) && Enum.IsDefined(value)
            ? value
            : throw DomainException.Validation(name, $"{name} must be one of: {string.Join(", ", Enum.GetNames<TEnum>())}.");
    }

    /// <summary>The signed-in customer, if the request carries a valid customer token; null otherwise (public endpoints).</summary>
    public string? TryCustomer(HttpRequest request) => Claims(request) is { } claims && claims.Role == Roles.Customer ? claims.Subject : null;

    private static DomainException TooLarge() =>
        new(ErrorCode.PayloadTooLarge, $"The body is larger than {MaxBodyBytes / 1024} KiB.");

    /// <summary>JSON, UTF-8 (RFC 8259 §8.1): application/json or a +json type; a charset, if given, must be UTF-8.</summary>
    private static void EnsureJson(HttpRequest request)
    {
        var json = MediaTypeHeaderValue.TryParse(request.ContentType, out var type)
            && (type.MediaType.Equals("application/json", StringComparison.OrdinalIgnoreCase) || type.Suffix.Equals("json", StringComparison.OrdinalIgnoreCase))
            && (!type.Charset.HasValue || type.Charset.Equals("utf-8", StringComparison.OrdinalIgnoreCase) || type.Charset.Equals("utf8", StringComparison.OrdinalIgnoreCase));
        if (!json)
        {
            const string message = "Send the body as JSON with 'Content-Type: application/json' (UTF-8).";
            throw new DomainException(ErrorCode.UnsupportedMediaType, message, new Dictionary<string, string[]> { ["Content-Type"] = [message] });
        }
    }

    private string Authenticate(HttpRequest request, string role)
    {
        var claims = Claims(request);
        if (claims is null)
        {
            request.HttpContext.Response.Headers.WWWAuthenticate = "Bearer";
            throw new DomainException(ErrorCode.Unauthorized, "Sign in first: send a valid, unexpired token as 'Authorization: Bearer <token>'.");
        }

        return claims.Role == role
            ? claims.Subject
            : throw new DomainException(ErrorCode.Forbidden, "This token is not allowed to call this endpoint.");
    }

    /// <summary>
    /// The customer of a valid token whose account still exists. Tokens are stateless, so an erased account's
    /// tokens stop working through this check on every request (a point read of the erasure marks).
    /// </summary>
    private async Task<string> ActiveCustomerAsync(HttpRequest request)
    {
        var customerId = Authenticate(request, Roles.Customer);
        pseudonyms.Tag(customerId);
        if (await erasedCustomers.IsErasedAsync(customerId, request.HttpContext.RequestAborted))
        {
            request.HttpContext.Response.Headers.WWWAuthenticate = "Bearer";
            throw new DomainException(ErrorCode.Unauthorized, "This account was deleted; log in again to start a new one.");
        }

        return customerId;
    }

    private AccessTokenClaims? Claims(HttpRequest request)
    {
        var header = request.Headers.Authorization.ToString();
        return header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase) ? tokens.Validate(header["Bearer ".Length..].Trim()) : null;
    }

    [GeneratedRegex("^[A-Za-z0-9_:.-]{8,64}$")]
    private static partial Regex IdempotencyKeyPattern();

    [LoggerMessage(Level = LogLevel.Warning, Message = "{Code} while handling {Path}")]
    private static partial void LogDomainFailure(ILogger logger, Exception exception, string code, string path);

    [LoggerMessage(Level = LogLevel.Error, Message = "Unhandled error in {Method} {Path}")]
    private static partial void LogUnhandled(ILogger logger, Exception exception, string method, string path);
}
