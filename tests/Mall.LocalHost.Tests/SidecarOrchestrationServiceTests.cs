using DurableTask.Core;
using DurableTask.Core.History;
using Mall.LocalHost.Engine;
using Microsoft.Extensions.Logging.Abstractions;
using Moq;

namespace Mall.LocalHost.Tests;

public sealed class SidecarOrchestrationServiceTests
{
    private readonly Mock<IOrchestrationService> provider = new();

    private SidecarOrchestrationService Service() => new(provider.Object, NullLogger<SidecarOrchestrationService>.Instance);

    private static TaskActivityWorkItem ActivityLockedFor(TimeSpan lockTime) => new()
    {
        Id = "work-item-1",
        TaskMessage = new TaskMessage { Event = new TaskScheduledEvent(1, "Sample") },
        LockedUntilUtc = DateTime.UtcNow + lockTime,
    };

    [Fact]
    public async Task Start_and_stop_reach_the_provider_once_and_a_start_after_a_stop_does_not()
    {
        var service = Service();

        await service.StartAsync();
        await service.StartAsync();
        await Task.WhenAll(service.StopAsync(), service.StopAsync(isForced: true));
        await service.StartAsync();

        await service.Stopped;
        provider.Verify(p => p.StartAsync(), Times.Once);
        provider.Verify(p => p.StopAsync(false), Times.Once);
        provider.Verify(p => p.StopAsync(true), Times.Never);
    }

    [Fact]
    public async Task A_stop_before_any_start_is_over_at_once_and_never_reaches_the_provider()
    {
        var service = Service();

        await service.StopAsync();
        await service.StartAsync();

        Assert.True(service.Stopped.IsCompletedSuccessfully);
        provider.Verify(p => p.StartAsync(), Times.Never);
        provider.Verify(p => p.StopAsync(It.IsAny<bool>()), Times.Never);
    }

    [Fact]
    public async Task A_cancelled_fetch_that_found_nothing_throws_and_an_uncancelled_one_returns_nothing()
    {
        provider.Setup(p => p.LockNextTaskOrchestrationWorkItemAsync(It.IsAny<TimeSpan>(), It.IsAny<CancellationToken>())).ReturnsAsync((TaskOrchestrationWorkItem)null!);
        provider.Setup(p => p.LockNextTaskActivityWorkItem(It.IsAny<TimeSpan>(), It.IsAny<CancellationToken>())).ReturnsAsync((TaskActivityWorkItem)null!);
        var service = Service();
        using var cancelled = new CancellationTokenSource();
        await cancelled.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => service.LockNextTaskOrchestrationWorkItemAsync(Timeout.InfiniteTimeSpan, cancelled.Token));
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => service.LockNextTaskActivityWorkItem(Timeout.InfiniteTimeSpan, cancelled.Token));
        Assert.Null(await service.LockNextTaskOrchestrationWorkItemAsync(Timeout.InfiniteTimeSpan, CancellationToken.None));
        Assert.Null(await service.LockNextTaskActivityWorkItem(Timeout.InfiniteTimeSpan, CancellationToken.None));
    }

    [Fact]
    public async Task A_running_activity_keeps_its_lock_until_it_completes_and_no_renewal_runs_under_the_completion()
    {
        var lockTime = TimeSpan.FromMilliseconds(400);
        var renewals = 0;
        var renewing = false;
        var renewingWhenCompleted = true;
        provider.Setup(p => p.LockNextTaskActivityWorkItem(It.IsAny<TimeSpan>(), It.IsAny<CancellationToken>())).ReturnsAsync(ActivityLockedFor(lockTime));
        provider.Setup(p => p.RenewTaskActivityWorkItemLockAsync(It.IsAny<TaskActivityWorkItem>())).Returns(async (TaskActivityWorkItem item) =>
        {
            renewing = true;
            await Task.Delay(50);
            Interlocked.Increment(ref renewals);
            renewing = false;
            item.LockedUntilUtc = DateTime.UtcNow + lockTime;
            return item;
        });
        provider.Setup(p => p.CompleteTaskActivityWorkItemAsync(It.IsAny<TaskActivityWorkItem>(), It.IsAny<TaskMessage>()))
            .Callback(() => renewingWhenCompleted = renewing)
            .Returns(Task.CompletedTask);
        var service = Service();

        var workItem = await service.LockNextTaskActivityWorkItem(Timeout.InfiniteTimeSpan, CancellationToken.None);
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (Volatile.Read(ref renewals) < 3)
        {
            Assert.True(DateTime.UtcNow < deadline, "The lock was not renewed three times within 30 s.");
            await Task.Delay(50);
        }

        await service.CompleteTaskActivityWorkItemAsync(workItem, new TaskMessage());

        Assert.False(renewingWhenCompleted);
        provider.Verify(p => p.CompleteTaskActivityWorkItemAsync(workItem, It.IsAny<TaskMessage>()), Times.Once);
    }
}
