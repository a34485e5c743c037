using Mall.Soak;

// The invariant soak (a benchmark-style tool, not a test; a short run is SoakTests in Mall.EndToEndTests):
//   dotnet run -c Release --project tests/Mall.Soak -- --minutes 10 [--kill-every-seconds 60] [--seed N] [--workers 6]
// Exit code 0: every invariant held; 1: a violation (listed); 2: bad arguments.
if (SoakOptions.Parse(args, Console.Error) is not { } options)
{
    return 2;
}

using var interrupted = new CancellationTokenSource();
Console.CancelKeyPress += (_, e) =>
{
    e.Cancel = true;
    interrupted.Cancel();
};
var result = await SoakRun.RunAsync(options, Console.Out, interrupted.Token);
return result.Violations == 0 ? 0 : 1;
