using System.Text.Json;
using Mall.Application.Platform;
using Mall.Domain.Common;
using Mall.Domain.Compliance;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;

namespace Mall.Functions.Http;

/// <summary>
/// Writes JSON with the mall's serializer settings directly to the response, so both hosts (Azure
/// Functions and the local host) produce byte-identical output without relying on MVC formatters.
/// </summary>
public sealed class JsonResponse(int statusCode, object? body, string contentType = "application/json; charset=utf-8") : IActionResult
{
    public int StatusCode { get; } = statusCode;

    public object? Body { get; } = body;

    public IDictionary<string, string> Headers { get; } = new Dictionary<string, string>();

    public async Task ExecuteResultAsync(ActionContext context)
    {
        var response = context.HttpContext.Response;
        response.StatusCode = StatusCode;
        foreach (var (name, value) in Headers)
        {
            response.Headers[name] = value;
        }

        if (Body is null)
        {
            return;
        }

        response.ContentType = contentType;
        await JsonSerializer.SerializeAsync(response.Body, Body, Body.GetType(), MallJson.Options, context.HttpContext.RequestAborted);
    }
}

public static class ApiResults
{
    public static JsonResponse Ok(object body) => new(StatusCodes.Status200OK, body);

    /// <summary>A list as the API answers lists that are not paged: {"items": [...]}, room left for more fields beside it.</summary>
    public static JsonResponse Items<T>(IReadOnlyList<T> items) => Ok(new ItemList<T>(items));

    public static JsonResponse Created(object body) => new(StatusCodes.Status201Created, body);

    public static JsonResponse NoContent() => new(StatusCodes.Status204NoContent, null);

    /// <summary>The header a save answers with when the compliance check warned: the rule codes, comma-separated.</summary>
    public const string ComplianceWarningsHeader = "Compliance-Warnings";

    /// <summary>Names the compliance warnings of a save that went ahead (nothing when there were none).</summary>
    public static JsonResponse WithComplianceWarnings(this JsonResponse response, IReadOnlyList<ComplianceFinding> warnings)
    {
        if (warnings.Count > 0)
        {
            response.Headers[ComplianceWarningsHeader] = string.Join(", ", warnings.Select(w => w.Code).Distinct());
        }

        return response;
    }

    /// <summary>
    /// RFC 7807 problem details with the stable machine code and, for bad input, the fields at fault; a
    /// refused campaign save also lists its compliance findings (rule code, field, basis).
    /// </summary>
    public static JsonResponse Problem(HttpRequest request, ErrorCode code, string detail, IReadOnlyDictionary<string, string[]>? errors = null, IReadOnlyList<ComplianceFinding>? findings = null)
    {
        var status = ProblemStatus.For(code);
        var wire = code.ToWire();
        return new JsonResponse(status, new ProblemBody(
            $"urn:mall:problem:{wire.ToLowerInvariant().Replace('_', '-')}",
            ReasonPhrase(status),
            status,
            detail,
            wire,
            request.Path.Value ?? string.Empty,
            request.HttpContext.TraceIdentifier,
            errors,
            findings), "application/problem+json; charset=utf-8");
    }

    private static string ReasonPhrase(int status) => Microsoft.AspNetCore.WebUtilities.ReasonPhrases.GetReasonPhrase(status);

    /// <summary>The problem a refusal answers with; the API document's Problem schema is generated from it.</summary>
    internal sealed record ProblemBody(
        string Type,
        string Title,
        int Status,
        string Detail,
        string Code,
        string Instance,
        string TraceId,
        IReadOnlyDictionary<string, string[]>? Errors,
        IReadOnlyList<ComplianceFinding>? Findings);
}

/// <summary>A list that is not paged, as <see cref="ApiResults.Items{T}"/> answers it.</summary>
public sealed record ItemList<T>(IReadOnlyList<T> Items);

/// <summary>A WeChat Pay webhook's failure: WeChat reads code and message; <see cref="Errors"/> names fields at fault, as the API's problems do.</summary>
internal sealed record WebhookFailure(string Code, string Message)
{
    public IReadOnlyDictionary<string, string[]>? Errors { get; init; }
}

/// <summary>HTTP status for each error code: part of the API contract, like the codes themselves.</summary>
public static class ProblemStatus
{
    public static int For(ErrorCode code) => code switch
    {
        ErrorCode.ValidationFailed or ErrorCode.MalformedJson or ErrorCode.IdempotencyKeyRequired => StatusCodes.Status400BadRequest,
        ErrorCode.InvalidPhoneCode => StatusCodes.Status400BadRequest,
        ErrorCode.DecryptionFailed or ErrorCode.MerchantMismatch or ErrorCode.AmountMismatch => StatusCodes.Status400BadRequest,
        ErrorCode.Unauthorized or ErrorCode.InvalidLoginCode or ErrorCode.InvalidCredentials => StatusCodes.Status401Unauthorized,
        ErrorCode.InvalidSignature or ErrorCode.StaleTimestamp or ErrorCode.UnknownCertificateSerial => StatusCodes.Status401Unauthorized,
        ErrorCode.Forbidden or ErrorCode.MembersOnly or ErrorCode.LoginBlocked => StatusCodes.Status403Forbidden,
        ErrorCode.NotFound => StatusCodes.Status404NotFound,
        ErrorCode.ShareLinkExpired => StatusCodes.Status410Gone,
        ErrorCode.PreconditionFailed => StatusCodes.Status412PreconditionFailed,
        ErrorCode.PayloadTooLarge => StatusCodes.Status413PayloadTooLarge,
        ErrorCode.UnsupportedMediaType => StatusCodes.Status415UnsupportedMediaType,
        ErrorCode.TooManyRequests => StatusCodes.Status429TooManyRequests,
        ErrorCode.ReferencePriceNotTruthful or ErrorCode.IdempotencyKeyReused or ErrorCode.RefundAmountExceeded => StatusCodes.Status422UnprocessableEntity,
        ErrorCode.ComplianceRefused => StatusCodes.Status422UnprocessableEntity,
        ErrorCode.InternalError => StatusCodes.Status500InternalServerError,
        ErrorCode.WeChatRejected => StatusCodes.Status502BadGateway,
        ErrorCode.Busy or ErrorCode.WeChatUnavailable => StatusCodes.Status503ServiceUnavailable,
        _ => StatusCodes.Status409Conflict,
    };
}
