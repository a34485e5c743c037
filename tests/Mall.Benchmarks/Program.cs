using System.Globalization;
using Mall.Benchmarks;

// Macro benchmarks against Azurite (not tests):
//   dotnet run -c Release --project tests/Mall.Benchmarks -- [--customers 100000]           daily segmentation
//   dotnet run -c Release --project tests/Mall.Benchmarks -- durable [--orchestrations 50]  durable engines
int Count(string option, int fallback) =>
    args.SkipWhile(a => a != option).Skip(1).FirstOrDefault() is { } value ? int.Parse(value, CultureInfo.InvariantCulture) : fallback;

if (args.FirstOrDefault() == "durable")
{
    await DurableEngineBenchmark.RunAsync(Count("--orchestrations", 50));
}
else
{
    await SegmentationBenchmark.RunAsync(Count("--customers", 100_000));
}
