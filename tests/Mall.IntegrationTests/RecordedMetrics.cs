using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using Mall.Application.Platform;
using Microsoft.Extensions.DependencyInjection;

namespace Mall.IntegrationTests;

/// <summary>
/// What the mall's meter of one fixture records (meters are process-wide: other fixtures of this process have meters
/// of the same name, so only the ones its own meter factory made are listened to).
/// </summary>
public sealed class RecordedMetrics : IDisposable
{
    private readonly ConcurrentQueue<(string Instrument, double Value)> measured = new();
    private readonly MeterListener listener;

    public RecordedMetrics(MallFixture mall)
    {
        var factory = mall.Services.GetRequiredService<IMeterFactory>();
        listener = new MeterListener
        {
            InstrumentPublished = (instrument, subscriber) =>
            {
                if (instrument.Meter.Name == MallTelemetry.Name && ReferenceEquals(instrument.Meter.Scope, factory))
                {
                    subscriber.EnableMeasurementEvents(instrument);
                }
            },
        };
        listener.SetMeasurementEventCallback<long>((instrument, value, _, _) => measured.Enqueue((instrument.Name, value)));
        listener.SetMeasurementEventCallback<double>((instrument, value, _, _) => measured.Enqueue((instrument.Name, value)));
        listener.Start();
    }

    public double Sum(string instrument) => measured.Where(m => m.Instrument == instrument).Sum(m => m.Value);

    public int Count(string instrument) => measured.Count(m => m.Instrument == instrument);

    public void Dispose() => listener.Dispose();
}
