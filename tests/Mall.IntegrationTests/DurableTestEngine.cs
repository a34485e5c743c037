using Mall.Testing;
using Microsoft.DurableTask;
using Microsoft.DurableTask.Testing;

namespace Mall.IntegrationTests;

/// <summary>
/// Starts the in-process durable engine on a port the kernel just handed out. Its own default is a
/// random port in 30000–40000 with no check, which collides when test assemblies run in parallel.
/// </summary>
public static class DurableTestEngine
{
    public static async Task<DurableTaskTestHost> StartAsync(Action<DurableTaskRegistry> registry)
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                return await DurableTaskTestHost.StartAsync(registry, new DurableTaskTestHostOptions { Port = Azurite.FreePort() });
            }
            catch (IOException) when (attempt < 3)
            {
                // Another process took the port between FreePort and the bind; take another.
            }
        }
    }
}
