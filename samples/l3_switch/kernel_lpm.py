#!/usr/bin/python3
"""The Linux kernel's own longest-prefix match as an oracle for the L3 switch's LPM (run as root).

Builds a network namespace with veth ports p0..pN (each up, 10.255.N.1/24, so each has its connected
route), installs a route list with `ip -batch` (`route replace PREFIX via HOP dev pN onlink`), asks
`ip route get ADDR` for a list of addresses and writes one line per address:

    addr<TAB>next_hop<TAB>port        next_hop = the address itself for a connected route
    addr<TAB>none<TAB>-               no route ("Network is unreachable")

then deletes the namespace. The local-table rule (preference 0) is removed in the namespace, so the
router's own addresses are answered from the main table like any other (the connected route).
`ip route get` answers a multicast or limited-broadcast address with a route of that type and no
gateway; for those the matched FIB entry is read with `ip route get fibmatch ADDR` instead.
Addresses the kernel refuses to look up as unicast destinations for any other reason are left out
and named in the file's comments.

Usage:
    kernel_lpm.py routes     expected/kernel_routes.txt from routes.txt (+ the trace addresses)
    kernel_lpm.py full       expected/kernel_full_table.txt from ../shared/data/lpm/rib_v4_full_2023.txt.gz
    kernel_lpm.py            both
"""
import gzip
import json
import os
import random
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "lib"))
from sample_kit import int_to_ip, ip_to_int, read_pcap, read_route_list  # noqa: E402

EXPECTED = os.path.join(HERE, "expected")
FULL_TABLE = os.path.normpath(os.path.join(HERE, "..", "..", "..", "shared", "data", "lpm", "rib_v4_full_2023.txt.gz"))


def run(*args, check=True, stdin=None):
    return subprocess.run(list(args), check=check, capture_output=True, text=True, input=stdin)


class Namespace:
    def __init__(self, ports):
        self.name = "l3lpm%d" % os.getpid()
        self.ports = ports

    def __enter__(self):
        run("ip", "netns", "add", self.name)
        try:
            for n in self.ports:
                self.ip("link", "add", "p%d" % n, "type", "veth", "peer", "name", "q%d" % n)
                self.ip("addr", "add", "10.255.%d.1/24" % n, "dev", "p%d" % n)
                self.ip("link", "set", "q%d" % n, "up")
                self.ip("link", "set", "p%d" % n, "up")
            self.ip("rule", "del", "pref", "0")
        except Exception:
            self.__exit__(None, None, None)
            raise
        return self

    def __exit__(self, *exc):
        run("ip", "netns", "del", self.name, check=False)

    def ip(self, *args, check=True, stdin=None):
        return run("ip", "-n", self.name, *args, check=check, stdin=stdin)

    def install(self, routes):
        """routes: [(prefix, len, hop, port)] in order (a later route for the same prefix replaces)."""
        with tempfile.NamedTemporaryFile("w", suffix=".batch", delete=False) as f:
            for prefix, plen, hop, port in routes:
                if hop == 0:
                    f.write("route replace %s/%d dev p%d\n" % (int_to_ip(prefix), plen, port))
                else:
                    f.write("route replace %s/%d via %s dev p%d onlink\n" % (int_to_ip(prefix), plen, int_to_ip(hop), port))
            path = f.name
        try:
            r = self.ip("-batch", path, check=False)
            if r.returncode != 0:
                raise RuntimeError("ip -batch failed: " + r.stderr[:2000])
        finally:
            os.unlink(path)

    def get(self, addr):
        """(next_hop, port), None for no route, or a string: the kernel's refusal."""
        a = int_to_ip(addr)
        r = self.ip("-j", "route", "get", a, check=False)
        if r.returncode != 0:
            if "Network is unreachable" in r.stderr:
                return None
            return r.stderr.strip()
        ans = json.loads(r.stdout)[0]
        if ans.get("type", "unicast") != "unicast":
            r = self.ip("-j", "route", "get", "fibmatch", a, check=False)
            if r.returncode != 0:
                if "Network is unreachable" in r.stderr:
                    return None
                return r.stderr.strip()
            ans = json.loads(r.stdout)[0]
        dev = ans["dev"]
        assert dev.startswith("p"), ans
        return (ip_to_int(ans["gateway"]) if "gateway" in ans else addr, int(dev[1:]))


def query(routes, ports, addresses, header, out_path):
    with Namespace(ports) as ns:
        ns.install(routes)
        lines, refused = [], []
        for a in addresses:
            r = ns.get(a)
            if isinstance(r, str):
                refused.append("%s (%s)" % (int_to_ip(a), r))
            elif r is None:
                lines.append("%s\tnone\t-" % int_to_ip(a))
            else:
                lines.append("%s\t%s\t%d" % (int_to_ip(a), int_to_ip(r[0]), r[1]))
    with open(out_path, "w") as f:
        for h in header:
            f.write("# " + h + "\n" if h else "#\n")
        if refused:
            f.write("# Left out (the kernel would not look them up as unicast destinations): %s\n" % ", ".join(refused))
        f.write("# %d addresses.\n" % len(lines))
        for l in lines:
            f.write(l + "\n")
    print("%s: %d addresses, %d left out" % (os.path.relpath(out_path, HERE), len(lines), len(refused)))


def dedupe(seq):
    seen, out = set(), []
    for a in seq:
        if a not in seen:
            seen.add(a)
            out.append(a)
    return out


# --------------------------------------------------------------------------------------------- routes.txt

def trace_addresses():
    """Every IPv4 source and destination address (and ARP target) in traces/*.pcap."""
    addrs = []
    tdir = os.path.join(HERE, "traces")
    for name in sorted(os.listdir(tdir)):
        if not name.endswith(".pcap"):
            continue
        for _, frame in read_pcap(os.path.join(tdir, name)):
            if len(frame) >= 34 and frame[12:14] == b"\x08\x00" and frame[14] >> 4 == 4:
                addrs += [int.from_bytes(frame[26:30], "big"), int.from_bytes(frame[30:34], "big")]
            elif len(frame) >= 42 and frame[12:14] == b"\x08\x06":
                addrs += [int.from_bytes(frame[28:32], "big"), int.from_bytes(frame[38:42], "big")]
    return addrs


def kernel_routes():
    routes = read_route_list(os.path.join(HERE, "routes.txt"))
    ports = sorted({p for _, _, _, p in routes})
    connected = [(ip_to_int("10.255.%d.0" % p), 24, 0, p) for p in ports]
    boundaries = []
    for prefix, plen, _, _ in connected + routes:
        last = prefix | ((1 << (32 - plen)) - 1)
        boundaries += [prefix, last] + ([last + 1] if last < 0xFFFFFFFF else [])
        if prefix > 0:
            boundaries.append(prefix - 1)
    addresses = dedupe(boundaries + trace_addresses())
    header = [
        "The Linux kernel's longest-prefix match (ip route get in a network namespace, kernel_lpm.py) for",
        "routes.txt: ports %s are veth interfaces 10.255.N.1/24 (their connected routes), each route is" % ports,
        "'ip route replace PREFIX via HOP dev pN onlink' in file order. Addresses: the first and last",
        "address of every route and connected subnet, the addresses just before and just after each, then",
        "every IPv4 source and destination address (and ARP sender/target) of traces/*.pcap.",
        "Lines: address, next hop (the address itself when connected; 'none' when unreachable), port.",
        "Written by kernel_lpm.py (uname -r: %s)." % os.uname().release,
    ]
    query(routes, ports, addresses, header, os.path.join(EXPECTED, "kernel_routes.txt"))


# --------------------------------------------------------------------------------------------- the full table

def full_rule(prefix_text, plen):
    a, b, c, d = (int(x) for x in prefix_text.split("."))
    h = 7 * a + 5 * b + 3 * c + d + plen
    port = h % 4
    return ip_to_int("10.255.%d.%d" % (port, 2 + (h >> 2) % 8)), port


def kernel_full_table():
    lines = []
    with gzip.open(FULL_TABLE, "rt") as f:
        for line in f:
            line = line.strip()
            if line:
                lines.append(line)
    routes = []
    for line in lines:
        p, l = line.split("/")
        hop, port = full_rule(p, int(l))
        routes.append((ip_to_int(p), int(l), hop, port))
    sample = [routes[i] for i in range(0, 360 * 2500, 360)]
    addresses = []
    for prefix, plen, _, _ in sample:
        addresses += [prefix, prefix | ((1 << (32 - plen)) - 1)]
    rng = random.Random(2023)
    addresses += [rng.getrandbits(32) for _ in range(2500)]
    addresses = dedupe(addresses)
    header = [
        "The Linux kernel's longest-prefix match (ip route get in a network namespace, kernel_lpm.py) for the",
        "full 2023 table ../shared/data/lpm/rib_v4_full_2023.txt.gz (%d prefixes), installed in file order." % len(routes),
        "",
        "Next hops, by this exact rule: for prefix a.b.c.d/len, h = 7*a + 5*b + 3*c + d + len;",
        "port = h % 4; next hop = 10.255.<port>.<2 + (h >> 2) % 8>. Ports 0..3 are veth interfaces",
        "10.255.N.1/24 (their connected routes); each prefix is 'ip route replace a.b.c.d/len via HOP dev",
        "p<port> onlink'.",
        "",
        "Queries, in this order (duplicates dropped): for the 2,500 prefixes on lines 1, 361, 721, ... of the file",
        "(0-based line i*360, i = 0..2499), the first and the last address of the prefix; then 2,500",
        "addresses from Python's random.Random(2023).getrandbits(32), over the whole address space.",
        "Lines: address, next hop (the address itself when connected; 'none' when unreachable), port.",
        "Written by kernel_lpm.py (uname -r: %s)." % os.uname().release,
    ]
    query(routes, [0, 1, 2, 3], addresses, header, os.path.join(EXPECTED, "kernel_full_table.txt"))


def main():
    if os.geteuid() != 0:
        sys.exit("kernel_lpm.py needs root (ip netns)")
    os.makedirs(EXPECTED, exist_ok=True)
    what = sys.argv[1:] or ["routes", "full"]
    if "routes" in what:
        kernel_routes()
    if "full" in what:
        kernel_full_table()


if __name__ == "__main__":
    main()
