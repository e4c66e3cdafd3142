using Robotics.Controller.Loop;

namespace Robotics.Tests.Controller;

public sealed class SpscRingTests
{
    [Fact]
    public void Items_come_out_in_order_and_a_full_ring_drops_and_counts_the_newest()
    {
        var ring = new SpscRing<int>(4);
        for (int i = 0; i < 6; i++)
        {
            Assert.Equal(i < 4, ring.TryWrite(i));
        }
        Assert.Equal(2, ring.Dropped);

        var read = new List<int>();
        while (ring.TryRead(out int item))
        {
            read.Add(item);
        }
        Assert.Equal([0, 1, 2, 3], read);
        Assert.True(ring.TryWrite(9));
        Assert.True(ring.TryRead(out int next));
        Assert.Equal(9, next);
    }

    [Fact]
    public async Task A_consumer_on_another_thread_gets_every_item_the_producer_wrote()
    {
        var ring = new SpscRing<long>(64);
        const long count = 200_000;
        long sum = 0;
        long received = 0;
        var consumer = Task.Run(() =>
        {
            long expected = 0;
            while (received < count)
            {
                while (ring.TryRead(out long item))
                {
                    Assert.True(item >= expected, "out of order");
                    expected = item + 1;
                    sum += item;
                    received++;
                }
            }
        });
        long written = 0;
        for (long i = 0; i < count; i++)
        {
            var spin = default(SpinWait);
            while (!ring.TryWrite(i))
            {
                spin.SpinOnce();
            }
            written += i;
        }
        await consumer.WaitAsync(TimeSpan.FromSeconds(60));
        Assert.Equal(count, received);
        Assert.Equal(written, sum);
    }

    [Fact]
    public void Its_capacity_must_be_a_power_of_two()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new SpscRing<int>(100));
    }
}
