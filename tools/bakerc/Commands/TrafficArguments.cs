using System.CommandLine;
using System.Globalization;
using Baker.Runtime.Ports;

namespace Baker.Tools.Bakerc.Commands;

/// <summary><c>--timing</c>, <c>--load</c> and <c>--saturate</c>: how input frames are offered to the emulated chip (bakerc emu, bakerc run --target ixp2400).</summary>
internal sealed class TrafficArguments
{
    public readonly Option<InputTiming?> Timing = new("--timing")
    {
        HelpName = "paced|saturate|trace",
        Description = "when input frames arrive: paced (back to back at --load), saturate (as fast as the receive rings take them) or trace (at the trace's timestamps)",
    };
    public readonly Option<double?> Load = new("--load") { Description = "offered load per port with paced timing, 0..1 of line rate (default: 1); alone it means --timing paced" };
    public readonly Option<bool> Saturate = new("--saturate") { Description = "short for --timing saturate" };

    public IEnumerable<Option> All => [Timing, Load, Saturate];

    public bool AnyGiven(ParseResult p) => All.Any(o => p.GetResult(o) is { Implicit: false });

    /// <summary>Sets what the options give on <paramref name="traffic"/> (other settings stay as they are); returns a problem, or null.</summary>
    public string? Apply(ParseResult p, TrafficOptions traffic)
    {
        var when = p.GetValue(Timing);
        if (p.GetValue(Saturate))
        {
            if (when is not (null or InputTiming.Saturate)) return "--saturate contradicts --timing";
            when = InputTiming.Saturate;
        }
        if (p.GetValue(Load) is { } load)
        {
            if (when is not (null or InputTiming.Paced)) return "--load applies to paced timing only";
            if (load is <= 0 or > 1) return string.Create(CultureInfo.InvariantCulture, $"--load {load} must be more than 0 and at most 1");
            when = InputTiming.Paced;
            traffic.Load = load;
        }
        if (when is { } t) traffic.Timing = t;
        return null;
    }
}
