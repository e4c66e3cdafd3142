using Robotics.Trainer.Reports;

namespace Robotics.Tests.Demo;

public sealed class CountedTests
{
    [Theory]
    [InlineData(0, "0 help requests")]
    [InlineData(1, "1 help request")]
    [InlineData(2, "2 help requests")]
    public void A_count_of_one_takes_the_singular(long count, string said) => Assert.Equal(said, Counted.Of(count, "help request"));
}
