using System.IO.Compression;
using System.Net;
using System.Net.Http.Headers;
using System.Text.RegularExpressions;
using Mall.Functions.Analytics;
using Mall.Testing;

namespace Mall.BrowserTests;

/// <summary>
/// The dashboard's page and assets over plain HTTP, as the local host serves them: no token needed (they hold
/// no data), the data endpoint refuses a request without one, a strict Content-Security-Policy, ECharts from
/// this app (the npm package's own file), and caching: the page revalidated, versioned assets kept a year.
/// </summary>
[Collection(nameof(DashboardFixture))]
public sealed partial class DashboardAssetTests(DashboardFixture fixture)
{
    [Fact]
    public async Task The_page_needs_no_token_and_is_never_cached_without_revalidation()
    {
        using var http = Http();

        using var response = await http.GetAsync("api/manage/dashboard");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/html", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal("utf-8", response.Content.Headers.ContentType?.CharSet);
        Assert.True(response.Headers.CacheControl?.NoCache, $"Cache-Control: {response.Headers.CacheControl}");
        var html = await response.Content.ReadAsStringAsync();
        Assert.Contains("data-api=\"/api/manage\"", html, StringComparison.Ordinal);
        Assert.DoesNotContain("{{", html, StringComparison.Ordinal);
        Assert.DoesNotContain("<script>", html, StringComparison.Ordinal);
        Assert.DoesNotContain(" style=", html, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Every_response_carries_a_self_only_content_security_policy()
    {
        using var http = Http();
        foreach (var path in (List<string>)["api/manage/dashboard", .. await AssetPathsAsync(http)])
        {
            using var response = await http.GetAsync(path);

            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            var policy = Assert.Single(response.Headers.GetValues("Content-Security-Policy"));
            Assert.Equal(DashboardFunctions.ContentSecurityPolicy, policy);
            Assert.Contains("script-src 'self';", policy, StringComparison.Ordinal);
            Assert.DoesNotContain("unsafe-", policy, StringComparison.Ordinal);
            Assert.DoesNotContain("http", policy, StringComparison.Ordinal);
            Assert.Equal("nosniff", Assert.Single(response.Headers.GetValues("X-Content-Type-Options")));
        }
    }

    [Theory]
    [InlineData("echarts-js", "text/javascript")]
    [InlineData("app-js", "text/javascript")]
    [InlineData("style-css", "text/css")]
    public async Task Each_asset_needs_no_token_and_is_cached_for_a_year_under_its_version(string asset, string mediaType)
    {
        using var http = Http();
        var path = (await AssetPathsAsync(http)).Single(p => p.Contains($"/dashboard/{asset}?v=", StringComparison.Ordinal));

        using var versioned = await http.GetAsync(path);
        using var unversioned = await http.GetAsync($"api/manage/dashboard/{asset}");
        using var stale = await http.GetAsync($"api/manage/dashboard/{asset}?v=0123456789abcdef");

        Assert.Equal(HttpStatusCode.OK, versioned.StatusCode);
        Assert.Equal(mediaType, versioned.Content.Headers.ContentType?.MediaType);
        Assert.Equal(DashboardFunctions.ImmutableCaching, versioned.Headers.CacheControl?.ToString());
        Assert.NotNull(versioned.Headers.ETag);
        // Any other version (a page from before a deployment) is revalidated, so an old URL never pins new bytes.
        Assert.True(unversioned.Headers.CacheControl?.NoCache);
        Assert.True(stale.Headers.CacheControl?.NoCache);
        Assert.Equal(await versioned.Content.ReadAsByteArrayAsync(), await unversioned.Content.ReadAsByteArrayAsync());
    }

    [Fact]
    public async Task ECharts_is_served_by_the_app_as_npm_installed_it_gzipped_when_asked()
    {
        var installed = await File.ReadAllBytesAsync(Path.Combine(RepositoryPaths.Root, "node_modules", "echarts", "dist", "echarts.min.js"));
        using var http = Http();
        var path = (await AssetPathsAsync(http)).Single(p => p.Contains("/dashboard/echarts-js?v=", StringComparison.Ordinal));

        using var plain = await http.GetAsync(path);
        using var request = new HttpRequestMessage(HttpMethod.Get, path) { Headers = { AcceptEncoding = { new StringWithQualityHeaderValue("gzip") } } };
        using var gzipped = await http.SendAsync(request);

        Assert.Equal(installed, await plain.Content.ReadAsByteArrayAsync());
        Assert.Empty(plain.Content.Headers.ContentEncoding);
        Assert.Equal("gzip", Assert.Single(gzipped.Content.Headers.ContentEncoding));
        var compressed = await gzipped.Content.ReadAsByteArrayAsync();
        Assert.True(compressed.Length < installed.Length / 2, $"{compressed.Length} bytes gzipped of {installed.Length}");
        await using var unzip = new GZipStream(new MemoryStream(compressed), CompressionMode.Decompress);
        using var unzipped = new MemoryStream();
        await unzip.CopyToAsync(unzipped);
        Assert.Equal(installed, unzipped.ToArray());
        Assert.Contains("Accept-Encoding", gzipped.Headers.Vary);
    }

    [Fact]
    public async Task A_cached_asset_or_page_is_revalidated_with_a_304()
    {
        using var http = Http();
        foreach (var path in new[] { "api/manage/dashboard", (await AssetPathsAsync(http))[0] })
        {
            using var first = await http.GetAsync(path);
            using var again = new HttpRequestMessage(HttpMethod.Get, path) { Headers = { IfNoneMatch = { first.Headers.ETag! } } };

            using var revalidated = await http.SendAsync(again);

            Assert.Equal(HttpStatusCode.NotModified, revalidated.StatusCode);
            Assert.Empty(await revalidated.Content.ReadAsByteArrayAsync());
        }
    }

    [Theory]
    [InlineData("GET", "api/manage/dashboard/data")]
    [InlineData("POST", "api/manage/alerts/alert-gmv-drop/acknowledge")]
    public async Task The_data_and_its_actions_answer_401_without_a_token(string method, string path)
    {
        using var http = Http();
        using var request = new HttpRequestMessage(new HttpMethod(method), path) { Content = method == "POST" ? new StringContent("{}", null, "application/json") : null };

        using var response = await http.SendAsync(request);

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal("Bearer", response.Headers.WwwAuthenticate.Single().Scheme);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
    }

    [Fact]
    public async Task The_page_refers_only_to_its_own_assets()
    {
        using var http = Http();
        var html = await http.GetStringAsync("api/manage/dashboard");

        var references = Reference().Matches(html).Select(m => m.Groups["url"].Value).Where(url => url != "data:,").ToList();

        Assert.Equal(3, references.Count);
        Assert.All(references, url => Assert.StartsWith("/api/manage/dashboard/", url, StringComparison.Ordinal));
    }

    private HttpClient Http() => new(new HttpClientHandler { AutomaticDecompression = DecompressionMethods.None }) { BaseAddress = fixture.Mall.Host.BaseAddress };

    /// <summary>The asset URLs (with their versions) as the page refers to them.</summary>
    private static async Task<List<string>> AssetPathsAsync(HttpClient http) =>
        [.. Reference().Matches(await http.GetStringAsync("api/manage/dashboard")).Select(m => WebUtility.HtmlDecode(m.Groups["url"].Value)).Where(url => url != "data:,").Select(url => url.TrimStart('/'))];

    [GeneratedRegex("(?:src|href)=\"(?<url>[^\"]+)\"", RegexOptions.None, matchTimeoutMilliseconds: 1000)]
    private static partial Regex Reference();
}
