using Mall.EndToEndTests;
using Microsoft.Playwright;

namespace Mall.BrowserTests;

/// <summary>
/// The mall as eng/run-local.sh runs it (<see cref="LocalMall"/>: the local host on Azurite with the WeChat
/// sandbox) and a headless Chromium: Debian's package at /usr/bin/chromium (eng/test.sh installs it), or the
/// browser MALL_CHROMIUM names. Playwright's own browser download is never used.
/// </summary>
public sealed class DashboardFixture : IAsyncLifetime
{
    public const string DefaultChromium = "/usr/bin/chromium";

    private IPlaywright? playwright;

    public LocalMall Mall { get; } = new();

    public IBrowser Browser { get; private set; } = null!;

    /// <summary>Where the dashboard page is served: /api/manage/dashboard on the local host.</summary>
    public Uri PageAddress => new(Mall.Host.BaseAddress, "api/manage/dashboard");

    public async Task InitializeAsync()
    {
        var chromium = Environment.GetEnvironmentVariable("MALL_CHROMIUM") is { Length: > 0 } configured ? configured : DefaultChromium;
        if (!File.Exists(chromium))
        {
            throw new InvalidOperationException(
                $"The browser tests drive Chromium at {chromium}, which is missing: install it (Debian/Ubuntu: apt-get install chromium; eng/test.sh does it) or set MALL_CHROMIUM to a Chromium binary.");
        }

        // Conditions, not timings: under a loaded machine a step may take long, so expectations wait up to 30 s.
        Assertions.SetDefaultExpectTimeout(30_000);
        await Mall.InitializeAsync();
        playwright = await Playwright.CreateAsync();
        Browser = await playwright.Chromium.LaunchAsync(new() { ExecutablePath = chromium, Headless = true, Args = ["--no-sandbox"] });
    }

    /// <summary>A fresh browser context (its own sessionStorage) and page, with a 30 s default timeout.</summary>
    public async Task<IPage> NewPageAsync()
    {
        var context = await Browser.NewContextAsync(new() { ViewportSize = new() { Width = 1440, Height = 1000 }, Locale = "zh-CN", TimezoneId = "Asia/Shanghai" });
        context.SetDefaultTimeout(30_000);
        return await context.NewPageAsync();
    }

    public async Task DisposeAsync()
    {
        if (Browser is not null)
        {
            await Browser.DisposeAsync();
        }

        playwright?.Dispose();
        await Mall.DisposeAsync();
    }
}

[CollectionDefinition(nameof(DashboardFixture))]
public sealed class DashboardCollection : ICollectionFixture<DashboardFixture>;
