using System.Globalization;
using Baker.Compiler.Syntax;

namespace Baker.Tools.Bakerc.Convert;

/// <summary>
/// A route list (<c>prefix/len TAB next_hop_ip TAB port</c> per line, <c>#</c> comments) → a control script for
/// samples/l3_switch: every port a route uses gets the interface 10.255.N.1/24 with MAC 02:ff:00:00:00:NN and its
/// connected route; every next hop gets a static ARP entry 02:00 + its four address bytes (so forwarding needs no ARP
/// traffic); the routes are loaded between fib_hold() and fib_commit() so each FIB chunk is compressed once.
/// </summary>
public static class RoutesConverter
{
    public const int MaxPorts = 16;
    /// <summary>Instance paths in samples/l3_switch/l3_switch.baker.</summary>
    public const string InterfacePath = "l2", LpmPath = "router.lpm", ArpPath = "arp";

    public sealed record Route(uint Prefix, int Length, uint NextHop, int Port);

    public static void Convert(TextReader input, string fileName, TextWriter output)
    {
        var routes = Parse(input, fileName);
        Write(routes, fileName, output);
    }

    public static List<Route> Parse(TextReader input, string fileName)
    {
        var routes = new List<Route>();
        int lineNumber = 0;
        for (string? line; (line = input.ReadLine()) is not null;)
        {
            lineNumber++;
            var text = line.Split('#')[0].Trim();
            if (text.Length == 0) continue;
            var fields = text.Split('\t', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
            if (fields.Length != 3)
                throw new ConvertException(fileName, lineNumber, $"expected 'prefix/len<TAB>next_hop_ip<TAB>port', found {fields.Length} tab-separated field(s)");
            var slash = fields[0].Split('/');
            if (slash.Length != 2 || !Literals.Ipv4(slash[0], out ulong prefix)
                || !int.TryParse(slash[1], NumberStyles.None, CultureInfo.InvariantCulture, out int length) || length > 32)
                throw new ConvertException(fileName, lineNumber, $"'{fields[0]}' is not an IPv4 prefix a.b.c.d/len with len 0..32");
            uint hostMask = length == 32 ? 0u : 0xFFFFFFFFu >> length;
            if ((prefix & hostMask) != 0)
                throw new ConvertException(fileName, lineNumber, $"'{fields[0]}' has host bits set (the network is {Literals.FormatIpv4((uint)prefix & ~hostMask)}/{length})");
            if (!Literals.Ipv4(fields[1], out ulong hop))
                throw new ConvertException(fileName, lineNumber, $"'{fields[1]}' is not an IPv4 next-hop address");
            if (!int.TryParse(fields[2], NumberStyles.None, CultureInfo.InvariantCulture, out int port) || port >= MaxPorts)
                throw new ConvertException(fileName, lineNumber, $"'{fields[2]}' is not a port 0..{MaxPorts - 1}");
            routes.Add(new Route((uint)prefix, length, (uint)hop, port));
        }
        return routes;
    }

    public static void Write(IReadOnlyList<Route> routes, string fileName, TextWriter output)
    {
        var ports = routes.Select(r => r.Port).Distinct().Order().ToList();
        var hops = routes.Where(r => r.NextHop != 0).Select(r => r.NextHop).Distinct().Order().ToList();
        output.WriteLine($"# Made by 'bakerc convert routes {Path.GetFileName(fileName)}' for samples/l3_switch: {routes.Count} routes, {hops.Count} next hops, {ports.Count} ports.");
        output.WriteLine("# Interfaces: port N is 10.255.N.1/24 with MAC 02:ff:00:00:00:NN, and its connected route.");
        foreach (int port in ports)
        {
            output.WriteLine($"{InterfacePath}.set_interface({port}, 10.255.{port}.1, 24, {InterfaceMac(port)})");
            output.WriteLine($"{LpmPath}.add_route(10.255.{port}.0, 24, 0.0.0.0, {port})");
        }
        output.WriteLine("# Static ARP: next hop a.b.c.d has MAC 02:00:a:b:c:d.");
        foreach (uint hop in hops) output.WriteLine($"{ArpPath}.add_neighbor({Literals.FormatIpv4(hop)}, {NextHopMac(hop)})");
        output.WriteLine("# Routes, loaded in bulk: chunks are compressed once, at fib_commit.");
        output.WriteLine($"{LpmPath}.fib_hold()");
        foreach (var r in routes) output.WriteLine($"{LpmPath}.add_route({Literals.FormatIpv4(r.Prefix)}, {r.Length}, {Literals.FormatIpv4(r.NextHop)}, {r.Port})");
        output.WriteLine($"{LpmPath}.fib_commit()");
    }

    public static string InterfaceMac(int port) => $"02:ff:00:00:00:{port:x2}";

    public static string NextHopMac(uint hop) => $"02:00:{hop >> 24:x2}:{(hop >> 16) & 0xFF:x2}:{(hop >> 8) & 0xFF:x2}:{hop & 0xFF:x2}";
}
