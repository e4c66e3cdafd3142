namespace Robotics.Hardware.Input;

/// <summary>
/// An absolute axis (a stick, a trigger, a hat) mapped from its raw range to −1..1: the middle of [min, max]
/// reads 0 and the ends ±1. A stick at rest rarely reports exactly its centre, so within the dead zone (a
/// fraction of the half range) it reads 0; beyond it the rest of the travel is stretched over 0..1, so the
/// value rises smoothly from the dead zone's edge instead of jumping to it.
/// </summary>
/// <param name="Min">The raw value at one end (the kernel's input_absinfo.minimum for an evdev axis).</param>
/// <param name="Max">The raw value at the other end; greater than <paramref name="Min"/>.</param>
/// <param name="Deadzone">0 to below 1.</param>
/// <param name="Invert">Swap the ends (a stick whose "up" reads negative).</param>
public readonly record struct AxisRange(int Min, int Max, float Deadzone, bool Invert)
{
    public float Normalise(int raw)
    {
        double half = ((double)Max - Min) / 2;
        double x = Math.Clamp((raw - (Min + half)) / half, -1, 1);
        double magnitude = Math.Abs(x);
        if (magnitude <= Deadzone)
        {
            return 0;
        }
        float value = (float)Math.CopySign((magnitude - Deadzone) / (1 - Deadzone), x);
        return Invert ? -value : value;
    }
}
