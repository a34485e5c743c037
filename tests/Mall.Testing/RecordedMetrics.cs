using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using Mall.Application.Platform;
using Microsoft.Extensions.DependencyInjection;

namespace Mall.Testing;

/// <summary>
/// What the mall's meter of one service provider (a fixture's, a host's) records: meters are process-wide and other
/// malls of this process have meters of the same name, so only the ones its own meter factory made are listened to.
/// </summary>
public sealed class RecordedMetrics : IDisposable
{
    private readonly ConcurrentQueue<(string Instrument, double Value)> measured = new();
    private readonly MeterListener listener;

    public RecordedMetrics(IServiceProvider services)
    {
        var factory = services.GetRequiredService<IMeterFactory>();
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
