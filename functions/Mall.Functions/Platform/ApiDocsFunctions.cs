using System.Net;
using System.Text;
using Mall.Functions.Analytics;
using Mall.Functions.Http;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;

namespace Mall.Functions.Platform;

/// <summary>
/// The API contract: its OpenAPI 3.1 document (generated from the code, <see cref="ApiDocument"/>) and a page
/// that reads it with Swagger UI, embedded in this assembly like the operator dashboard (no CDN).
/// </summary>
[CalledBy(Caller.Anyone)]
public sealed class ApiDocsFunctions(Api api)
{
    /// <summary>
    /// The dashboard's policy, except that Swagger UI sets style attributes (inline styles) as it renders, and
    /// "Try it out" calls the API on this origin.
    /// </summary>
    public const string ContentSecurityPolicy =
        "default-src 'none'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; connect-src 'self'; "
        + "base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

    private const string Route = "docs";

    private static readonly DashboardAsset SwaggerUiScript = new("Mall.ApiDocs.swagger-ui-bundle.js", "text/javascript; charset=utf-8", ContentSecurityPolicy);

    private static readonly DashboardAsset SwaggerUiStyle = new("Mall.ApiDocs.swagger-ui.css", "text/css; charset=utf-8", ContentSecurityPolicy);

    private static readonly DashboardAsset DocsScript = new("Mall.ApiDocs.docs.js", "text/javascript; charset=utf-8", ContentSecurityPolicy);

    private static readonly Lazy<string> PageTemplate = new(() => Encoding.UTF8.GetString(DashboardAsset.Read("Mall.ApiDocs.index.html")));

    private static readonly Lazy<byte[]> DocumentBytes = new(() => Encoding.UTF8.GetBytes(ApiDocument.Json));

    [Answers(200, MediaType = "application/json")]
    [Answers(304)]
    [Function("Platform_OpenApi")]
    public Task<IActionResult> Document([HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "openapi.json")] HttpRequest request) =>
        api.RunAsync(request, () =>
        {
            request.HttpContext.Response.Headers.CacheControl = "no-cache";
            return Task.FromResult<IActionResult>(new FileContentResult(DocumentBytes.Value, "application/json; charset=utf-8") { EntityTag = DashboardAsset.EntityTagOf(DocumentBytes.Value) });
        });

    [Answers(200, MediaType = "text/html")]
    [Answers(304)]
    [Function("Platform_Docs")]
    public Task<IActionResult> Page([HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = Route)] HttpRequest request) =>
        api.RunAsync(request, () => Task.FromResult<IActionResult>(DocsPage(request)));

    [Answers(200, MediaType = "text/javascript")]
    [Answers(304)]
    [Query("v", typeof(string), "The asset's version: with the current one the answer may be cached for good.")]
    [Function("Platform_DocsSwaggerUiJs")]
    public Task<IActionResult> SwaggerUi([HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = Route + "/swagger-ui-js")] HttpRequest request) =>
        api.RunAsync(request, () => Task.FromResult(SwaggerUiScript.Serve(request)));

    [Answers(200, MediaType = "text/css")]
    [Answers(304)]
    [Query("v", typeof(string), "The asset's version: with the current one the answer may be cached for good.")]
    [Function("Platform_DocsSwaggerUiCss")]
    public Task<IActionResult> SwaggerUiCss([HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = Route + "/swagger-ui-css")] HttpRequest request) =>
        api.RunAsync(request, () => Task.FromResult(SwaggerUiStyle.Serve(request)));

    [Answers(200, MediaType = "text/javascript")]
    [Answers(304)]
    [Query("v", typeof(string), "The asset's version: with the current one the answer may be cached for good.")]
    [Function("Platform_DocsJs")]
    public Task<IActionResult> Script([HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = Route + "/docs-js")] HttpRequest request) =>
        api.RunAsync(request, () => Task.FromResult(DocsScript.Serve(request)));

    /// <summary>The page, with absolute URLs under the path it was asked for (whatever the host's route prefix), revalidated on every load.</summary>
    private static FileContentResult DocsPage(HttpRequest request)
    {
        var path = (request.PathBase + request.Path).Value?.TrimEnd('/') ?? string.Empty;
        var pagePath = path.EndsWith("/" + Route, StringComparison.OrdinalIgnoreCase) ? path : $"/{ApiDocument.RoutePrefix}/{Route}";
        var html = PageTemplate.Value
            .Replace("{{spec}}", WebUtility.HtmlEncode(pagePath[..^Route.Length] + "openapi.json"), StringComparison.Ordinal)
            .Replace("{{swagger-ui-css}}", WebUtility.HtmlEncode($"{pagePath}/swagger-ui-css?v={SwaggerUiStyle.Version}"), StringComparison.Ordinal)
            .Replace("{{swagger-ui-js}}", WebUtility.HtmlEncode($"{pagePath}/swagger-ui-js?v={SwaggerUiScript.Version}"), StringComparison.Ordinal)
            .Replace("{{docs-js}}", WebUtility.HtmlEncode($"{pagePath}/docs-js?v={DocsScript.Version}"), StringComparison.Ordinal);
        var bytes = Encoding.UTF8.GetBytes(html);
        var headers = request.HttpContext.Response.Headers;
        DashboardAssets.SecurityHeaders(headers, ContentSecurityPolicy);
        headers.CacheControl = "no-cache";
        return new FileContentResult(bytes, "text/html; charset=utf-8") { EntityTag = DashboardAsset.EntityTagOf(bytes) };
    }
}
