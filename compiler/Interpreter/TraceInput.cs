using System.Globalization;
using Baker.Runtime.Pcap;

namespace Baker.Compiler.Interpreter;

/// <summary>One received frame: when (ns), on which port (0..255), its captured bytes, its length on the wire, and the file it came from.</summary>
public sealed record InputFrame(long TimestampNs, int Port, byte[] Data, int OriginalLength, string Source);

/// <summary>A trace input that cannot be used; the message names the file (and the byte offset for a corrupt capture).</summary>
public sealed class TraceInputException(string message) : Exception(message);

/// <summary>Loads the receive traces of a run and merges them into one time-ordered stream.</summary>
public static class TraceInput
{
    public const int MaxPort = 255;

    /// <summary>
    /// Each spec is <c>FILE</c> (port 0, or for pcapng the interface id) or <c>N=FILE</c> (every frame of FILE on
    /// port N). Frames are ordered by timestamp; equal timestamps keep spec order, then file order.
    /// </summary>
    public static IReadOnlyList<InputFrame> Load(IEnumerable<string> specs)
    {
        var frames = new List<InputFrame>();
        foreach (var spec in specs)
        {
            var (port, path) = ParseSpec(spec);
            foreach (var f in Read(path))
            {
                var p = port ?? f.Interface;
                if (p > MaxPort)
                    throw new TraceInputException($"trace file '{path}' has a frame on pcapng interface {p}, but ports are 0..{MaxPort}; give the file a port as N={path}");
                frames.Add(new InputFrame(f.TimestampNs, p, f.Data, f.OriginalLength, path));
            }
        }
        // OrderBy is a stable sort: ties keep the order they were added in.
        return frames.OrderBy(f => f.TimestampNs).ToList();
    }

    /// <summary>
    /// Splits <c>N=FILE</c>. The text before the first '=' is a port only when it is all digits, so a path that
    /// contains '=' still works; a spec that names no file and has a non-numeric prefix is reported as a bad port.
    /// </summary>
    private static (int? Port, string Path) ParseSpec(string spec)
    {
        var eq = spec.IndexOf('=');
        if (eq < 0) return (null, spec);
        var prefix = spec[..eq];
        if (prefix.Length > 0 && prefix.All(char.IsAsciiDigit))
        {
            if (!int.TryParse(prefix, NumberStyles.None, CultureInfo.InvariantCulture, out var port) || port > MaxPort)
                throw new TraceInputException($"trace input '{spec}': port {prefix} is out of range; ports are 0..{MaxPort}");
            if (eq + 1 == spec.Length) throw new TraceInputException($"trace input '{spec}' names no file; write N=FILE");
            return (port, spec[(eq + 1)..]);
        }
        if (!File.Exists(spec))
            throw new TraceInputException($"trace input '{spec}': there is no such file, and '{prefix}' is not a port number; write FILE or N=FILE with N 0..{MaxPort}");
        return (null, spec);
    }

    private static List<PcapFrame> Read(string path)
    {
        try
        {
            return PcapReader.ReadFile(path);
        }
        catch (PcapFormatException e)
        {
            // The reader's message already names the file and the byte offset.
            throw new TraceInputException($"corrupt trace file: {e.Message}");
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            throw new TraceInputException($"trace file '{path}' was not found");
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException or NotSupportedException)
        {
            throw new TraceInputException($"cannot read trace file '{path}': {e.Message}");
        }
    }
}
