using Robotics.Controller.Safety;
using Robotics.Controller.Ticks;

namespace Robotics.Tests.Controller;

public sealed class EndReasonsTests
{
    [Fact]
    public void A_reason_gets_one_code_and_reads_back_as_its_text()
    {
        var reasons = new EndReasons();

        ushort reached = reasons.CodeOf("target reached");
        Assert.Equal(reached, reasons.CodeOf("target " + "reached"));
        Assert.NotEqual(reached, reasons.CodeOf("timeout"));
        Assert.Equal("target reached", reasons.TextOf(reached));
        Assert.Equal(EndReasons.Stopped, reasons.TextOf(reasons.CodeOf(EndReasons.Stopped)));
        Assert.Equal(FaultTexts.Of(FaultKind.StaleSensor), reasons.TextOf(reasons.CodeOf(FaultTexts.Of(FaultKind.StaleSensor))));
    }

    [Fact]
    public void Past_its_table_a_reason_reads_as_not_kept_rather_than_growing_on_the_loop()
    {
        var reasons = new EndReasons();
        for (int i = 0; i < 100; i++)
        {
            reasons.CodeOf($"reason {i}");
        }

        Assert.Equal(EndReasons.Other, reasons.TextOf(reasons.CodeOf("reason 99")));
        Assert.Equal("reason 0", reasons.TextOf(reasons.CodeOf("reason 0")));
    }
}
