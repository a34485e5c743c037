using System.Globalization;
using Mall.Benchmarks;

// Macro benchmarks against Azurite (not tests):
//   dotnet run -c Release --project tests/Mall.Benchmarks -- [--customers 100000]           daily segmentation
//   dotnet run -c Release --project tests/Mall.Benchmarks -- durable [--orchestrations 50]  durable engines
//   dotnet run -c Release --project tests/Mall.Benchmarks -- flash [--customers 2000] [--attempts 10000] [--concurrency 64]  flash sale vs naive design
//   dotnet run -c Release --project tests/Mall.Benchmarks -- analytics [--events 100000] [--concurrency 32]  event ingestion and dashboard vs bare Table calls
//   dotnet run -c Release --project tests/Mall.Benchmarks -- recommendations [--customers 5000] [--orders 100000] [--noise-percent 20]  offline hit rate vs most popular, daily run vs bare scan
int Count(string option, int fallback) =>
    args.SkipWhile(a => a != option).Skip(1).FirstOrDefault() is { } value ? int.Parse(value, CultureInfo.InvariantCulture) : fallback;

if (args.FirstOrDefault() == "recommendations")
{
    await RecommendationBenchmark.RunAsync(Count("--customers", 5_000), Count("--orders", 100_000), Count("--noise-percent", 20) / 100.0, Count("--seed", 13));
}
else if (args.FirstOrDefault() == "analytics")
{
    await AnalyticsBenchmark.RunAsync(Count("--events", 100_000), Count("--concurrency", 32), Count("--devices", 500), Count("--reads", 2_000), Count("--read-concurrency", 8));
}
else if (args.FirstOrDefault() == "flash")
{
    await FlashSaleBenchmark.RunAsync(Count("--customers", 2_000), Count("--attempts", 10_000), Count("--concurrency", 64), Count("--quantity", 500), Count("--reads", 8_000), Count("--read-concurrency", 16));
}
else if (args.FirstOrDefault() == "durable")
{
    await DurableEngineBenchmark.RunAsync(Count("--orchestrations", 50));
}
else
{
    await SegmentationBenchmark.RunAsync(Count("--customers", 100_000));
}
