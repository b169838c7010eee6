using System.Diagnostics;

namespace Baker.Tests.Infrastructure;

/// <summary>Wireshark's dissector as an independent oracle: which frames of a pcap carry a bad IP, TCP, UDP or ICMP checksum.</summary>
public static class Tshark
{
    public static string? Executable { get; } = new[] { "/usr/bin/tshark", "/usr/local/bin/tshark" }.FirstOrDefault(File.Exists);

    public const string SkipMessage = "SKIP tshark checksum validation: tshark is not installed (.ci/run installs it)";

    /// <summary>"frame N: ..." for every frame with a checksum tshark verified as bad (status 0).</summary>
    public static List<string> BadChecksums(string pcap)
    {
        var psi = new ProcessStartInfo(Executable ?? throw new InvalidOperationException("tshark is not installed"),
        [
            "-r", pcap,
            "-o", "ip.check_checksum:TRUE", "-o", "tcp.check_checksum:TRUE", "-o", "udp.check_checksum:TRUE",
            "-Y", "ip.checksum.status == 0 || tcp.checksum.status == 0 || udp.checksum.status == 0 || icmp.checksum.status == 0",
            "-T", "fields", "-e", "frame.number", "-e", "_ws.col.Info",
        ])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        using var process = Process.Start(psi)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEnd();
        process.WaitForExit();
        if (process.ExitCode != 0) throw new InvalidOperationException($"tshark failed on {pcap}: {stderr}");
        return stdout.Result.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => "frame " + l.Replace('\t', ':')).ToList();
    }
}
