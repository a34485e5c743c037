using System.IO.Compression;
using System.Net;
using System.Security.Cryptography;
using System.Text;
using Mall.Functions.Http;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Net.Http.Headers;

namespace Mall.Functions.Analytics;

/// <summary>
/// The operator dashboard: one page and its three assets, embedded in this assembly (no CDN; ECharts comes
/// from npm at build). The page holds no data and needs no token: it signs the operator in itself and reads
/// GET manage/dashboard/data with the bearer token it keeps in sessionStorage.
/// </summary>
/// <remarks>
/// Both hosts execute the returned <see cref="FileContentResult"/> with MVC's executor (the worker's ASP.NET
/// Core integration registers AddMvc, the local host AddMvcCore): If-None-Match against the ETag answers 304.
/// Every route value and ...Id query parameter passes the id rule first, as on every route (<see cref="Api.RunAsync"/>).
/// </remarks>
[CalledBy(Caller.Anyone)]
public sealed class DashboardFunctions(Api api)
{
    /// <summary>
    /// Self only: no inline script or style, no eval, no other origin; the page is never framed and its
    /// form never submits anywhere (the script signs in with fetch).
    /// </summary>
    public const string ContentSecurityPolicy =
        "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; "
        + "base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

    /// <summary>The assets' versions: a URL with the current one is cached for a year, any other revalidated.</summary>
    public const string ImmutableCaching = "public, max-age=31536000, immutable";

    [Answers(200, MediaType = "text/html")]
    [Answers(304)]
    [Function("Manage_Dashboard")]
    public Task<IActionResult> Page([HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "manage/dashboard")] HttpRequest request) =>
        api.RunAsync(request, () => Task.FromResult(DashboardAssets.Page(request)));

    [Answers(200, MediaType = "text/javascript")]
    [Answers(304)]
    [Query("v", typeof(string), "The asset's version: with the current one the answer may be cached for good.")]
    [Function("Manage_DashboardAppJs")]
    public Task<IActionResult> AppScript([HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "manage/dashboard/app-js")] HttpRequest request) =>
        api.RunAsync(request, () => Task.FromResult(DashboardAssets.App.Serve(request)));

    [Answers(200, MediaType = "text/css")]
    [Answers(304)]
    [Query("v", typeof(string), "The asset's version: with the current one the answer may be cached for good.")]
    [Function("Manage_DashboardStyleCss")]
    public Task<IActionResult> StyleSheet([HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "manage/dashboard/style-css")] HttpRequest request) =>
        api.RunAsync(request, () => Task.FromResult(DashboardAssets.Style.Serve(request)));

    [Answers(200, MediaType = "text/javascript")]
    [Answers(304)]
    [Query("v", typeof(string), "The asset's version: with the current one the answer may be cached for good.")]
    [Function("Manage_DashboardEChartsJs")]
    public Task<IActionResult> ECharts([HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "manage/dashboard/echarts-js")] HttpRequest request) =>
        api.RunAsync(request, () => Task.FromResult(DashboardAssets.ECharts.Serve(request)));
}

/// <summary>The dashboard's embedded files (LogicalNames in Mall.Functions.csproj), read once per process.</summary>
internal static class DashboardAssets
{
    private const string Route = "manage/dashboard";

    public static readonly DashboardAsset App = new("Mall.Dashboard.dashboard.js", "text/javascript; charset=utf-8");

    public static readonly DashboardAsset Style = new("Mall.Dashboard.dashboard.css", "text/css; charset=utf-8");

    public static readonly DashboardAsset ECharts = new("Mall.Dashboard.echarts.min.js", "text/javascript; charset=utf-8");

    private static readonly Lazy<string> PageTemplate = new(() => Encoding.UTF8.GetString(DashboardAsset.Read("Mall.Dashboard.index.html")));

    /// <summary>
    /// The page, with absolute asset URLs under the path it was asked for (whatever the host's route prefix) and
    /// each asset's version in its query string; never cached without revalidation, so a deployment shows at once.
    /// </summary>
    public static IActionResult Page(HttpRequest request)
    {
        var path = (request.PathBase + request.Path).Value?.TrimEnd('/') ?? string.Empty;
        var pagePath = path.EndsWith(Route, StringComparison.OrdinalIgnoreCase) ? path : "/api/" + Route;
        var manage = pagePath[..^"/dashboard".Length];
        var html = PageTemplate.Value
            .Replace("{{api}}", WebUtility.HtmlEncode(manage), StringComparison.Ordinal)
            .Replace("{{style-css}}", WebUtility.HtmlEncode($"{pagePath}/style-css?v={Style.Version}"), StringComparison.Ordinal)
            .Replace("{{echarts-js}}", WebUtility.HtmlEncode($"{pagePath}/echarts-js?v={ECharts.Version}"), StringComparison.Ordinal)
            .Replace("{{app-js}}", WebUtility.HtmlEncode($"{pagePath}/app-js?v={App.Version}"), StringComparison.Ordinal);
        var bytes = Encoding.UTF8.GetBytes(html);
        var headers = request.HttpContext.Response.Headers;
        SecurityHeaders(headers);
        headers.CacheControl = "no-cache";
        return new FileContentResult(bytes, "text/html; charset=utf-8") { EntityTag = DashboardAsset.EntityTagOf(bytes) };
    }

    public static void SecurityHeaders(IHeaderDictionary headers, string contentSecurityPolicy = DashboardFunctions.ContentSecurityPolicy)
    {
        headers.ContentSecurityPolicy = contentSecurityPolicy;
        headers.XContentTypeOptions = "nosniff";
        headers.XFrameOptions = "DENY";
        headers["Referrer-Policy"] = "no-referrer";
        headers["Cross-Origin-Opener-Policy"] = "same-origin";
        headers["Cross-Origin-Resource-Policy"] = "same-origin";
    }
}

/// <summary>
/// One embedded asset: its bytes, a gzip copy (ECharts is 1.1 MB, a third of that compressed) and a version
/// (the first 16 hex digits of its SHA-256) that the page puts in the asset's URL. The API docs page
/// (Platform/ApiDocsFunctions.cs) serves its assets with it too, under its own Content-Security-Policy.
/// </summary>
internal sealed class DashboardAsset
{
    private readonly string contentType;
    private readonly string contentSecurityPolicy;
    private readonly Lazy<(byte[] Identity, byte[] Gzip, string Version)> content;

    public DashboardAsset(string logicalName, string contentType, string contentSecurityPolicy = DashboardFunctions.ContentSecurityPolicy)
    {
        this.contentType = contentType;
        this.contentSecurityPolicy = contentSecurityPolicy;
        content = new(() =>
        {
            var bytes = Read(logicalName);
            using var compressed = new MemoryStream();
            using (var gzip = new GZipStream(compressed, CompressionLevel.SmallestSize, leaveOpen: true))
            {
                gzip.Write(bytes);
            }

            return (bytes, compressed.ToArray(), Convert.ToHexStringLower(SHA256.HashData(bytes))[..16]);
        });
    }

    public string Version => content.Value.Version;

    /// <summary>
    /// Gzipped when the client accepts it. Asked for with the current version, cached for a year; with another
    /// (a page from before a deployment, or none) revalidated each time, so an old URL never pins new bytes.
    /// </summary>
    public IActionResult Serve(HttpRequest request)
    {
        var (identity, gzip, version) = content.Value;
        var headers = request.HttpContext.Response.Headers;
        DashboardAssets.SecurityHeaders(headers, contentSecurityPolicy);
        headers.CacheControl = request.Query["v"] == version ? DashboardFunctions.ImmutableCaching : "no-cache";
        headers.Vary = "Accept-Encoding";
        if (AcceptsGzip(request))
        {
            headers.ContentEncoding = "gzip";
            return new FileContentResult(gzip, contentType) { EntityTag = new EntityTagHeaderValue($"\"{version}-gzip\"") };
        }

        return new FileContentResult(identity, contentType) { EntityTag = new EntityTagHeaderValue($"\"{version}\"") };
    }

    public static EntityTagHeaderValue EntityTagOf(byte[] bytes) => new($"\"{Convert.ToHexStringLower(SHA256.HashData(bytes))[..16]}\"");

    public static byte[] Read(string logicalName)
    {
        using var stream = typeof(DashboardAsset).Assembly.GetManifestResourceStream(logicalName)
            ?? throw new InvalidOperationException($"The asset {logicalName} is not embedded in {typeof(DashboardAsset).Assembly.GetName().Name}.");
        using var copy = new MemoryStream();
        stream.CopyTo(copy);
        return copy.ToArray();
    }

    /// <summary>Accept-Encoding lists gzip with a q-value above 0 (RFC 9110 §12.5.3).</summary>
    private static bool AcceptsGzip(HttpRequest request) =>
        StringWithQualityHeaderValue.TryParseList(request.Headers.AcceptEncoding, out var encodings)
        && encodings.Any(e => e.Value.Equals("gzip", StringComparison.OrdinalIgnoreCase) && (e.Quality ?? 1) > 0);
}
