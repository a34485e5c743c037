using System.Runtime.InteropServices;

namespace Mall.WeChat.Sandbox;

/// <summary><c>dotnet Mall.WeChatSandbox.dll [--urls …] [--state-dir …] [--mall-settings-out …] [--signing-mode …]</c>.</summary>
internal static class SandboxCommandLine
{
    private const string Usage = """
        WeChat sandbox: a local stand-in for WeChat's mini-program and WeChat Pay API v3 servers.

        Options:
          --urls <url>                   listen URL(s), ';'-separated      (default http://127.0.0.1:7080)
          --state-dir <dir>              keys are generated once and kept here (default .local/sandbox)
          --mall-settings-out <file>     write the mall's settings (local.settings.json shape) to <file>
          --signing-mode <mode>          public-key (default) or platform-certificate
          --refund-delay-seconds <n>     how long refunds stay PROCESSING   (default 1)
        """;

    public static async Task<int> RunAsync(string[] args)
    {
        var settings = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["--urls"] = "http://127.0.0.1:7080",
            ["--state-dir"] = Path.Combine(".local", "sandbox"),
            ["--signing-mode"] = "public-key",
            ["--refund-delay-seconds"] = "1",
        };
        for (var i = 0; i < args.Length; i++)
        {
            if (args[i] is "--help" or "-h" || i + 1 == args.Length || !args[i].StartsWith("--", StringComparison.Ordinal))
            {
                Console.Error.WriteLine(Usage);
                return args[i] is "--help" or "-h" ? 0 : 2;
            }

            settings[args[i]] = args[++i];
        }

        if (settings.Keys.Except(["--urls", "--state-dir", "--signing-mode", "--refund-delay-seconds", "--mall-settings-out"]).FirstOrDefault() is { } unknown
            || settings["--signing-mode"] is not ("public-key" or "platform-certificate")
            || !double.TryParse(settings["--refund-delay-seconds"], out var refundDelaySeconds) || refundDelaySeconds < 0)
        {
            Console.Error.WriteLine(Usage);
            return 2;
        }

        using var stop = new CancellationTokenSource();
        void Stop(PosixSignalContext context)
        {
            context.Cancel = true;
            stop.Cancel();
        }

        using var interrupt = PosixSignalRegistration.Create(PosixSignal.SIGINT, Stop);
        using var terminate = PosixSignalRegistration.Create(PosixSignal.SIGTERM, Stop);

        await using var sandbox = await WeChatSandbox.StartAsync(
            new WeChatSandboxOptions
            {
                Urls = settings["--urls"],
                StateDirectory = settings["--state-dir"],
                SigningMode = settings["--signing-mode"] == "platform-certificate" ? SandboxSigningMode.PlatformCertificate : SandboxSigningMode.PublicKey,
                RefundCompletionDelay = TimeSpan.FromSeconds(refundDelaySeconds),
                MinimumLogLevel = LogLevel.Information,
            },
            stop.Token);

        var baseUrl = sandbox.BaseAddress.GetLeftPart(UriPartial.Authority);
        Console.WriteLine($"WeChat sandbox listening on {baseUrl} (signing with {sandbox.SigningSerial}; keys in {Path.GetFullPath(settings["--state-dir"])})");
        if (settings.TryGetValue("--mall-settings-out", out var settingsFile))
        {
            sandbox.WriteMallSettingsFile(settingsFile);
            Console.WriteLine($"Mall settings written to {Path.GetFullPath(settingsFile)}");
        }

        Console.WriteLine($"Pay a pending order:  curl -X POST {baseUrl}/sandbox/transactions/<orderId>/pay");
        Console.WriteLine($"Inspect:              {baseUrl}/sandbox/transactions | refunds | notifications | subscribe-messages | shipping-uploads");
        Console.WriteLine($"Fail like WeChat:     curl -X POST {baseUrl}/sandbox/faults -d '{{\"api\":\"UploadShippingInfo\",\"errcode\":48001}}'  (DELETE to clear)");
        Console.WriteLine("Press Ctrl+C to stop.");
        try
        {
            await Task.Delay(Timeout.Infinite, stop.Token);
        }
        catch (OperationCanceledException)
        {
            Console.WriteLine("Stopping.");
        }

        return 0;
    }
}
