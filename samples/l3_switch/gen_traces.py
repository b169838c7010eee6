#!/usr/bin/python3
"""Writes the L3 switch's test traces into traces/ (run with Debian's /usr/bin/python3 + python3-scapy).

Deterministic: fixed timestamps, a fixed-seed generator for sat64.pcap, scapy for the packets and a
plain classic-pcap writer (microsecond timestamps, Ethernet link type) so nothing depends on the clock.

The configuration the traces are written for is l3_switch.ctl (made from routes.txt): port N is the
router's interface 10.255.N.1/24 with MAC 02:ff:00:00:00:NN (ports 0..3), every next hop a.b.c.d has
the static ARP entry 02:00:a:b:c:d.

Traces (one pcap per input port; timestamps strictly increase across the files of one run, so the
merge order is unambiguous):
  basic_p0..p3.pcap  the functional trace: routing over every prefix class, TTL, ICMP, options,
                     malformed headers, padding, ARP, bridging (see the sections below)
  arp42_p2.pcap      an ARP request for the router in a 42-byte frame (no Ethernet padding, as a
                     capture taken on the sending host shows it)
  martian_p0/p1.pcap transit datagrams to 127/8 and 0/8, echo requests to the router from sources
                     that are not a unicast host
  dbcast_p0/p2.pcap  directed broadcasts of connected subnets as destination and as source
  reserved_p1.pcap   frames to IEEE 802.1D's reserved group addresses (BPDU, PAUSE, LLDP)
  asym_p1.pcap       ICMP errors whose route back leaves by a port other than the input port
  noport_p1/p5.pcap  frames on port 5, which has no interface (so is no bridge port)
  sat64.pcap         10,000 routed 64-byte (60 captured bytes) UDP frames on port 0
"""
import os
import random
import struct
import sys

from scapy.all import ARP, ICMP, IP, TCP, UDP, Ether, Raw, raw  # noqa: F401  (scapy's layers)

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "lib"))
from sample_kit import int_to_ip, ones_sum, pad_frame, read_route_list, set_ipv4_checksum, write_pcap  # noqa: E402

TRACES = os.path.join(HERE, "traces")

T0_US = 1_700_000_000 * 1_000_000      # 2023-11-14 22:13:20 UTC, in microseconds
BCAST = "ff:ff:ff:ff:ff:ff"


def router_mac(port):
    return "02:ff:00:00:00:%02x" % port


def router_ip(port):
    return "10.255.%d.1" % port


def hop_mac(ip):
    """The static ARP entry's MAC of a next hop (the route converter's rule)."""
    return "02:00:" + ":".join("%02x" % int(x) for x in ip.split("."))


def host_mac(port, n):
    """A host on port's segment that is not a configured next hop."""
    return "02:aa:00:00:%02x:%02x" % (port, n)


# The upstream neighbour on each port that sends the routed test traffic, and source prefixes
# whose route leads back out of the same port (so ICMP errors return where they came from).
UPSTREAM = {0: "10.255.0.2", 1: "10.255.1.8", 2: "10.255.2.5", 3: "10.255.3.6"}
SOURCE = {0: "203.0.113.%d", 1: "198.51.100.%d", 2: "172.20.1.%d", 3: "192.168.50.%d"}


class Timeline:
    """Frames of one run on several ports, 1 ms apart unless a gap is asked for."""

    def __init__(self, name):
        self.name = name
        self.t = T0_US
        self.frames = {}          # port -> [(t, bytes)]
        self.count = 0

    def gap(self, us):
        self.t += us

    def send(self, port, frame, pad=None):
        data = bytes(frame) if pad is None else pad_frame(frame, pad)
        self.t += 1000
        self.frames.setdefault(port, []).append((self.t, data))
        self.count += 1

    def write(self, ports=None):
        for port in sorted(set(self.frames) | set(ports or [])):
            write_pcap(os.path.join(TRACES, "%s_p%d.pcap" % (self.name, port)),
                       [(t * 1000, data) for t, data in self.frames.get(port, [])])


# ---------------------------------------------------------------------------------------------
# Packet helpers

_ip_id = [0x1000]


def next_id():
    _ip_id[0] = (_ip_id[0] + 7) & 0xFFFF
    return _ip_id[0]


def l4(kind, n, size=None):
    """A transport payload: kind 'tcp', 'udp' or 'icmp' (echo request); n varies ports and data."""
    data = bytes((n * 13 + i) & 0xFF for i in range(size if size is not None else 10 + n % 23))
    if kind == "tcp":
        return TCP(sport=40000 + n, dport=[80, 443, 22, 179][n % 4], seq=1000 * n + 1, flags="S" if n % 2 else "PA",
                   window=8192) / Raw(data)
    if kind == "udp":
        return UDP(sport=50000 + n, dport=[53, 123, 4789, 5000][n % 4]) / Raw(data)
    return ICMP(type=8, code=0, id=0x4000 + n, seq=n) / Raw(data)


def ipv4(src, dst, ttl=64, tos=0, flags=0, frag=0, ident=None, proto_payload=None, options=None):
    p = IP(src=src, dst=dst, ttl=ttl, tos=tos, flags=flags, frag=frag, id=next_id() if ident is None else ident)
    if options is not None:
        p.options = options
    return p / proto_payload if proto_payload is not None else p


def with_raw_options(ip_pkt, opts):
    """An IPv4 packet (scapy, no options) rebuilt with the raw option bytes opts (a multiple of 4)."""
    assert len(opts) % 4 == 0
    b = bytearray(raw(ip_pkt))
    b = b[:20] + bytearray(opts) + b[20:]
    b[0] = 0x40 | (5 + len(opts) // 4)
    b[2:4] = struct.pack("!H", len(b))
    return bytes(set_ipv4_checksum(b))


def eth(src_mac, dst_mac, payload, etype=None):
    if isinstance(payload, (bytes, bytearray)):
        return raw(Ether(src=src_mac, dst=dst_mac, type=0x0800 if etype is None else etype)) + bytes(payload)
    e = Ether(src=src_mac, dst=dst_mac) if etype is None else Ether(src=src_mac, dst=dst_mac, type=etype)
    return raw(e / payload)


def routed(port, ip_pkt):
    """A frame from port's upstream neighbour to the router's MAC on port."""
    return eth(hop_mac(UPSTREAM[port]), router_mac(port), ip_pkt)


def arp_frame(src_mac, dst_mac, op, sha, spa, tha, tpa):
    return raw(Ether(src=src_mac, dst=dst_mac) / ARP(op=op, hwsrc=sha, psrc=spa, hwdst=tha, pdst=tpa))


# ---------------------------------------------------------------------------------------------
# The functional trace

# One destination per route of routes.txt (the most specific route that holds it is the one named),
# plus its boundary addresses; connected subnets; all sent from rotating ports and protocols.
ROUTED_DESTINATIONS = [
    "10.7.7.7",          # 10.0.0.0/8
    "10.0.0.0",          # 10.0.0.0/8, first address
    "10.255.255.255",    # 10.0.0.0/8, last address (no interface on 10.255.255.0)
    "10.255.4.9",        # 10.0.0.0/8 (port 4 has no interface)
    "10.1.5.5",          # 10.1.0.0/16
    "10.1.127.255",      # 10.1.0.0/16, just below the /17
    "10.1.128.0",        # 10.1.128.0/17, first
    "10.1.199.255",      # 10.1.128.0/17, just below the /21
    "10.1.201.1",        # 10.1.200.0/21
    "10.1.207.255",      # 10.1.200.0/21, last
    "10.1.208.0",        # 10.1.128.0/17, one past the /21
    "10.1.200.5",        # 10.1.200.0/24
    "10.1.200.127",      # 10.1.200.0/24, just below the /25
    "10.1.200.128",      # 10.1.200.128/25, first
    "10.1.200.191",      # 10.1.200.128/25, just below the /26
    "10.1.200.192",      # 10.1.200.192/26, first
    "10.1.200.199",      # 10.1.200.192/26
    "10.1.200.200",      # 10.1.200.200/32
    "10.1.200.201",      # 10.1.200.192/26
    "10.1.200.255",      # 10.1.200.192/26, last
    "10.1.255.255",      # 10.1.128.0/17, last
    "10.2.0.0",          # 10.2.0.0/15, first
    "10.3.255.255",      # 10.2.0.0/15, last
    "10.4.0.0",          # 10.0.0.0/8, one past the /15
    "172.16.0.1",        # 172.16.0.0/12
    "172.16.5.9",        # 172.16.5.0/24
    "172.16.6.0",        # 172.16.0.0/12, one past the /24
    "172.31.255.9",      # 172.31.255.0/24
    "172.31.254.255",    # 172.16.0.0/12, just below it
    "192.168.0.1",       # 192.168.0.0/16
    "192.168.1.5",       # 192.168.1.0/24
    "192.168.1.64",      # 192.168.1.64/27, first
    "192.168.1.76",      # 192.168.1.64/27
    "192.168.1.77",      # 192.168.1.77/32
    "192.168.1.78",      # 192.168.1.64/27
    "192.168.1.95",      # 192.168.1.64/27, last
    "192.168.1.96",      # 192.168.1.0/24, one past the /27
    "192.168.255.255",   # 192.168.0.0/16, last
    "100.64.0.9",        # 100.64.0.0/24 (next hop 172.16.99.1, off the port's subnet)
    "100.64.1.0",        # 100.64.0.0/10, one past the /24
    "100.127.255.255",   # 100.64.0.0/10, last
    "203.0.113.200",     # 203.0.113.0/24 (port 0)
    "198.51.100.7",      # 198.51.100.0/24 (added before the covering /22)
    "198.51.101.7",      # 198.51.100.0/22
    "198.51.103.255",    # 198.51.100.0/22, last
    "1.1.1.1",           # 1.0.0.0/8
    "1.2.3.3",           # 1.2.3.0/24, just below the /30
    "1.2.3.4",           # 1.2.3.4/31
    "1.2.3.5",           # 1.2.3.4/31
    "1.2.3.6",           # 1.2.3.4/30
    "1.2.3.7",           # 1.2.3.4/30
    "1.2.3.8",           # 1.2.3.0/24
    "1.255.255.255",     # 1.0.0.0/8, last
    "128.0.0.0",         # 128.0.0.0/1, first
    "200.1.2.3",         # 128.0.0.0/1
    "223.255.255.254",   # 128.0.0.0/1, the last unicast address below 224/4
    "10.255.0.2",        # connected (port 0), a next hop with a static ARP entry
    "10.255.1.9",        # connected (port 1)
    "10.255.2.10",       # connected (port 2)
    "10.255.3.3",        # connected (port 3)
]

# Destinations no route holds: net unreachable (RFC 792 type 3 code 0).
UNREACHABLE = ["8.8.8.8", "9.255.255.255", "11.0.0.0", "100.63.255.255", "100.128.0.0", "126.1.2.3", "2.0.0.1"]


def basic():
    tl = Timeline("basic")
    n = [0]

    def k():
        n[0] += 1
        return n[0]

    kinds = ["udp", "tcp", "icmp"]

    # --- 1. Hosts announce themselves: a host on port 2 ARPs the router (learned and answered).
    tl.send(2, arp_frame(host_mac(2, 0x20), BCAST, 1, host_mac(2, 0x20), "10.255.2.20", "00:00:00:00:00:00",
                         "10.255.2.1"), pad=0)

    # --- 2. Routed unicast over every route and boundary, rotating the input port, protocol, TTL, TOS.
    ttls = [64, 63, 128, 255, 2, 32, 17]
    for i, dst in enumerate(ROUTED_DESTINATIONS):
        port = i % 4
        src = SOURCE[port] % (10 + i)
        kind = kinds[i % 3]
        p = ipv4(src, dst, ttl=ttls[i % len(ttls)], tos=[0, 0x10, 0xb8, 0][i % 4], flags=2 if i % 5 == 0 else 0,
                 proto_payload=l4(kind, k()))
        tl.send(port, routed(port, p))

    # Larger datagrams (no fragmentation needed on Ethernet), TCP with options, UDP with no payload.
    tl.send(0, routed(0, ipv4(SOURCE[0] % 77, "10.1.200.130", proto_payload=l4("udp", k(), 1200))))
    tl.send(3, routed(3, ipv4(SOURCE[3] % 77, "172.16.5.200", flags=2, proto_payload=TCP(
        sport=33000, dport=443, flags="S", options=[("MSS", 1460), ("SAckOK", b""), ("WScale", 7)]))))
    tl.send(1, routed(1, ipv4(SOURCE[1] % 77, "1.2.3.5", proto_payload=UDP(sport=7, dport=7))))
    tl.send(2, routed(2, ipv4(SOURCE[2] % 77, "192.168.1.77", proto_payload=l4("icmp", k(), 56))))
    # A first fragment and a later fragment in transit (forwarded like any datagram).
    tl.send(0, routed(0, ipv4(SOURCE[0] % 78, "10.2.3.4", flags=1, frag=0, ident=0x2222,
                                proto_payload=l4("udp", k(), 32))))
    tl.send(0, routed(0, ipv4(SOURCE[0] % 78, "10.2.3.4", flags=0, frag=5, ident=0x2222,
                                proto_payload=Raw(bytes(range(16))))))
    # A host on a connected subnet (learned in step 1) routes through the router; the reply comes back to it.
    tl.send(2, eth(host_mac(2, 0x20), router_mac(2), ipv4("10.255.2.20", "1.1.1.1", proto_payload=l4("udp", k()))))
    tl.send(3, routed(3, ipv4("1.1.1.1", "10.255.2.20", ttl=50, proto_payload=l4("udp", k()))))

    # Checksum corner: a header whose checksum is 0x0000 (its other words sum to 0xFFFF), sent once with
    # 0x0000 and once with 0xFFFF (the other zero of one's complement; both verify). The identification
    # is chosen to make the sum come out so.
    probe = raw(IP(src="203.0.113.9", dst="10.7.7.8", ttl=64, id=0, chksum=0) / UDP(sport=7, dport=7) / Raw(bytes(8)))
    s = ones_sum(probe[:20])
    for field in (0x0000, 0xFFFF):
        p = IP(src="203.0.113.9", dst="10.7.7.8", ttl=64, id=0xFFFF - s, chksum=field) / UDP(sport=7, dport=7) / Raw(bytes(8))
        tl.send(0, routed(0, p))

    # --- 3. TTL: 2 is forwarded with 1; 1 and 0 draw time exceeded (RFC 792 type 11 code 0).
    tl.send(1, routed(1, ipv4(SOURCE[1] % 30, "172.16.5.1", ttl=2, proto_payload=l4("tcp", k()))))
    tl.send(0, routed(0, ipv4(SOURCE[0] % 30, "10.1.200.200", ttl=1, proto_payload=l4("udp", k()))))
    tl.send(1, routed(1, ipv4(SOURCE[1] % 31, "192.168.1.70", ttl=1, proto_payload=l4("tcp", k()))))
    tl.send(2, routed(2, ipv4(SOURCE[2] % 32, "1.2.3.4", ttl=0, proto_payload=l4("icmp", k()))))
    tl.send(3, routed(3, ipv4(SOURCE[3] % 33, "8.8.8.8", ttl=1, tos=0x20, proto_payload=l4("udp", k(), 0))))
    # TTL 1 with less than 8 bytes after the header (quote what there is).
    tl.send(0, routed(0, ipv4(SOURCE[0] % 34, "10.7.7.7", ttl=1, proto_payload=Raw(b"\x01\x02\x03\x04"))),
            pad=0xEE)
    # TTL 1 on a first fragment (error sent), on a later fragment (no error: RFC 1812 4.3.2.7).
    tl.send(1, routed(1, ipv4(SOURCE[1] % 35, "10.7.7.7", ttl=1, flags=1, ident=0x3333,
                                proto_payload=l4("udp", k(), 24))))
    tl.send(1, routed(1, ipv4(SOURCE[1] % 35, "10.7.7.7", ttl=1, frag=4, ident=0x3333,
                                proto_payload=Raw(bytes(16)))))
    # TTL 1 on an ICMP error (never an error about an error), and on an ICMP echo (an error is sent).
    err = ICMP(type=3, code=1) / IP(src="10.7.7.7", dst=SOURCE[2] % 36, ttl=60, id=5) / UDP(sport=1, dport=2)
    tl.send(2, routed(2, ipv4(SOURCE[2] % 36, "10.7.7.7", ttl=1, proto_payload=err)))
    tl.send(3, routed(3, ipv4(SOURCE[3] % 36, "10.7.7.7", ttl=1, proto_payload=l4("icmp", k()))))
    # The other ICMP errors (source quench 4, redirect 5, parameter problem 12: no error about them) and a
    # non-error ICMP message (timestamp request 13: an error is sent).
    for t in (4, 5, 12, 13):
        m = ICMP(struct.pack("!BBH", t, 0, 0) + bytes(range(32)))              # fixed bytes (no scapy defaults)
        del m.chksum                                                            # computed when built
        tl.send(2, routed(2, ipv4(SOURCE[2] % (37 + t), "10.7.7.7", ttl=1, proto_payload=m)))
    # TTL 1 from a source with no route back: the error is made, then dropped for want of a route.
    tl.send(0, routed(0, ipv4("8.8.4.4", "10.7.7.7", ttl=1, proto_payload=l4("udp", k()))))
    # TTL 1 from a host on a connected subnet the router has no ARP entry for: the error waits on ARP
    # (request out, error dropped).
    tl.send(3, eth(host_mac(3, 0x44), router_mac(3), ipv4("10.255.3.44", "10.7.7.7", ttl=1,
                                                            proto_payload=l4("udp", k()))))

    # --- 4. Echo requests to the router: its own address on the input port, another interface's address,
    # TTL 1, odd payload, from a connected host; and what is not answered.
    tl.send(0, routed(0, ipv4(SOURCE[0] % 40, "10.255.0.1", proto_payload=l4("icmp", k(), 56))))
    tl.send(1, routed(1, ipv4(SOURCE[1] % 40, "10.255.3.1", proto_payload=l4("icmp", k(), 32))))
    tl.send(3, routed(3, ipv4(SOURCE[3] % 40, "10.255.3.1", ttl=1, tos=0x10, flags=2, proto_payload=l4("icmp", k(), 0))))
    tl.send(2, eth(host_mac(2, 0x20), router_mac(2), ipv4("10.255.2.20", "10.255.2.1",
                                                          proto_payload=l4("icmp", k(), 33))))
    tl.send(2, routed(2, ipv4(SOURCE[2] % 41, "10.255.0.1", proto_payload=l4("icmp", k(), 1000))))
    tl.send(0, routed(0, ipv4(SOURCE[0] % 41, "10.255.2.1", ttl=0, proto_payload=l4("icmp", k(), 8))))  # TTL 0: still answered
    # Not answered: UDP and TCP to the router, an echo reply, a fragmented echo request, a code-1 echo,
    # an echo request cut short (less than 8 bytes of ICMP).
    tl.send(0, routed(0, ipv4(SOURCE[0] % 42, "10.255.0.1", proto_payload=l4("udp", k()))))
    tl.send(1, routed(1, ipv4(SOURCE[1] % 42, "10.255.2.1", proto_payload=l4("tcp", k()))))
    tl.send(2, routed(2, ipv4(SOURCE[2] % 42, "10.255.2.1", proto_payload=ICMP(type=0, id=1, seq=1))))
    tl.send(3, routed(3, ipv4(SOURCE[3] % 42, "10.255.3.1", flags=1, proto_payload=l4("icmp", k(), 40))))
    tl.send(0, routed(0, ipv4(SOURCE[0] % 43, "10.255.0.1", proto_payload=ICMP(type=8, code=1, id=9, seq=9))))
    tl.send(1, routed(1, ipv4(SOURCE[1] % 43, "10.255.1.1", proto_payload=Raw(b"\x08\x00\xf7\xff"))), pad=0)
    # An echo request from a source the router has no route to: the reply is dropped.
    tl.send(0, routed(0, ipv4("8.8.4.4", "10.255.0.1", proto_payload=l4("icmp", k()))))

    # --- 5. No route: net unreachable back to the source, sourced from the input port's address.
    for i, dst in enumerate(UNREACHABLE):
        port = (i + 1) % 4
        tl.send(port, routed(port, ipv4(SOURCE[port] % (50 + i), dst, ttl=[64, 2, 9][i % 3],
                                        proto_payload=l4(kinds[i % 3], k(), [10, 0, 3, 40][i % 4]))))
    # No route and no route back (the error is dropped); no route for an ICMP error (suppressed);
    # no route for a non-first fragment (suppressed).
    tl.send(1, routed(1, ipv4("9.9.9.9", "8.8.8.8", proto_payload=l4("udp", k()))))
    tl.send(2, routed(2, ipv4(SOURCE[2] % 60, "8.8.8.8", proto_payload=ICMP(type=11, code=0) /
                                IP(src="8.8.8.8", dst="1.1.1.1", ttl=1) / UDP(sport=33434, dport=33435))))
    tl.send(3, routed(3, ipv4(SOURCE[3] % 60, "8.8.8.8", frag=100, proto_payload=Raw(bytes(range(24))))))

    # --- 6. IPv4 options (RFC 791): well formed ones are forwarded unchanged (TTL decremented),
    # malformed ones are dropped.
    def opt_pkt(port, dst, opts, ttl=64, n=None, kind="udp"):
        p = ipv4(SOURCE[port] % (70 + len(opts)), dst, ttl=ttl, proto_payload=l4(kind, k() if n is None else n))
        return routed(port, with_raw_options(p, opts))

    tl.send(0, opt_pkt(0, "10.1.5.5", b"\x01\x01\x01\x00"))                                  # NOP NOP NOP EOL
    tl.send(1, opt_pkt(1, "172.16.5.9", b"\x00\x00\x00\x00"))                                # EOL, padding
    tl.send(2, opt_pkt(2, "192.168.1.77", b"\x07\x0b\x04" + bytes(8) + b"\x00"))            # Record Route, 2 slots
    tl.send(3, opt_pkt(3, "1.2.3.6", b"\x94\x04\x00\x00"))                                   # Router Alert
    tl.send(0, opt_pkt(0, "200.1.2.3", b"\x44\x0c\x05\x00" + bytes(8), kind="tcp"))         # Timestamp, 2 slots
    tl.send(1, opt_pkt(1, "10.1.200.200", b"\x07\x07\x08\x0a\x0b\x0c\x0d\x01", ttl=2))       # full RR, TTL 2
    tl.send(2, opt_pkt(2, "8.8.8.8", b"\x01\x01\x01\x01"))                                   # options, no route
    tl.send(3, opt_pkt(3, "10.7.7.7", b"\x07\x07\x04" + bytes(5), ttl=1))                    # options, TTL 1
    tl.send(0, opt_pkt(0, "10.255.0.1", b"\x01\x01\x01\x00", kind="icmp"))                   # echo with options
    # Malformed: a length of 0, of 1, running past the header, a kind with no room for its length.
    tl.send(1, opt_pkt(1, "10.1.5.5", b"\x07\x00\x04\x00"))
    tl.send(2, opt_pkt(2, "10.1.5.5", b"\x01\x07\x01\x00"))
    tl.send(3, opt_pkt(3, "10.1.5.5", b"\x07\x0b\x04\x00"))
    tl.send(0, opt_pkt(0, "10.1.5.5", b"\x01\x01\x01\x44"))

    # --- 7. Malformed IPv4 to the router's MAC: all dropped.
    good = ipv4(SOURCE[1] % 80, "10.1.5.5", proto_payload=l4("udp", k()))
    b = bytearray(raw(good))
    b[10] ^= 0x5a                                                                             # bad header checksum
    tl.send(1, routed(1, bytes(b)))
    b = bytearray(raw(good))
    b[2:4] = struct.pack("!H", len(b) + 40)                                                   # length > frame
    tl.send(1, routed(1, bytes(set_ipv4_checksum(b))))
    b = bytearray(raw(ipv4(SOURCE[1] % 80, "10.1.5.5", proto_payload=l4("udp", k(), 200))))
    b[2:4] = struct.pack("!H", len(b) + 1)                                                    # one byte short
    tl.send(2, routed(2, bytes(set_ipv4_checksum(b))))
    b = bytearray(raw(good))
    b[0] = 0x65                                                                               # version 6
    tl.send(2, routed(2, bytes(set_ipv4_checksum(b))))
    b = bytearray(raw(good))
    b[0] = 0x44                                                                               # IHL 4
    b[10:12] = b"\0\0"
    tl.send(3, routed(3, bytes(b)))
    b = bytearray(raw(good))
    b[2:4] = struct.pack("!H", 16)                                                            # total length < IHL*4
    tl.send(3, routed(3, bytes(set_ipv4_checksum(b))))
    b = bytearray(raw(good))
    b[0] = 0x4f                                                                               # IHL 15 in a short packet
    tl.send(0, routed(0, bytes(set_ipv4_checksum(b))))
    tl.send(0, eth(hop_mac(UPSTREAM[0]), router_mac(0), bytes(raw(good)[:16])))               # 30 bytes: no full header
    tl.send(0, bytes.fromhex("02ff00000000" + "0200"))                                        # an 8-byte runt

    # --- 8. Ethernet padding: short datagrams padded by the sender (nonzero padding bytes must not
    # be forwarded), and trailing bytes beyond the IP length in a longer frame.
    tl.send(1, routed(1, ipv4(SOURCE[1] % 90, "10.1.200.5", proto_payload=UDP(sport=9, dport=9) / b"x")), pad=0xAA)
    tl.send(2, routed(2, ipv4(SOURCE[2] % 90, "203.0.113.77", proto_payload=UDP(sport=9, dport=9))), pad=0x55)
    tl.send(3, routed(3, ipv4(SOURCE[3] % 90, "198.51.100.9", proto_payload=TCP(sport=5, dport=6, flags="A"))), pad=0xFF)
    tl.send(0, routed(0, raw(ipv4(SOURCE[0] % 90, "172.31.255.1", proto_payload=UDP(sport=9, dport=9) / b"abc"))
                      + b"\xde\xad\xbe\xef" * 10))
    tl.send(1, routed(1, ipv4(SOURCE[1] % 91, "10.255.1.1", proto_payload=ICMP(id=7, seq=7) / b"hi")), pad=0x77)

    # --- 9. Not IPv4, not ARP, to the router's MAC: dropped (IPv6, LLDP-like, a VLAN tag).
    tl.send(2, eth(hop_mac(UPSTREAM[2]), router_mac(2), bytes(40), etype=0x86DD))
    tl.send(3, eth(hop_mac(UPSTREAM[3]), router_mac(3), bytes(46), etype=0x88B5))
    tl.send(0, eth(hop_mac(UPSTREAM[0]), router_mac(0), b"\x00\x05\x08\x00" + raw(good)[:42], etype=0x8100))

    # --- 10. Multicast and broadcast: link-layer broadcast/multicast is bridged; IP broadcast, multicast
    # or martian sources sent to the router's MAC are not forwarded.
    tl.send(1, raw(Ether(src=host_mac(1, 0x31), dst=BCAST) / IP(src="0.0.0.0", dst="255.255.255.255", id=1) /
                   UDP(sport=68, dport=67) / Raw(bytes(240))))
    tl.send(2, raw(Ether(src=host_mac(2, 0x32), dst="01:00:5e:00:00:fb") / IP(src="10.255.2.32", dst="224.0.0.251",
                                                                              ttl=255, id=2) / UDP(sport=5353, dport=5353) / Raw(bytes(20))))
    tl.send(3, raw(Ether(src=host_mac(3, 0x33), dst="33:33:00:00:00:01", type=0x86DD) / Raw(bytes(50))))
    for src, dst in [(SOURCE[0] % 95, "255.255.255.255"), (SOURCE[0] % 95, "224.0.0.5"), (SOURCE[0] % 95, "239.1.2.3"),
                     (SOURCE[0] % 95, "240.0.0.1"), ("224.1.1.1", "10.1.5.5"), ("127.0.0.1", "10.1.5.5"),
                     ("0.0.0.5", "10.1.5.5"), ("0.0.0.0", "10.1.5.5"), ("255.255.255.255", "10.1.5.5"),
                     ("240.1.1.1", "10.1.5.5")]:
        tl.send(0, routed(0, ipv4(src, dst, proto_payload=l4("udp", k()))))

    # --- 11. ARP (RFC 826).
    # A request from a host on port 1 for the router: learned and answered.
    tl.send(1, arp_frame(host_mac(1, 0x50), BCAST, 1, host_mac(1, 0x50), "10.255.1.50", "00:00:00:00:00:00",
                         "10.255.1.1"), pad=0)
    # A request for another host: bridged (flooded, then the answer is forwarded to the learned port).
    tl.send(2, arp_frame(host_mac(2, 0x21), BCAST, 1, host_mac(2, 0x21), "10.255.2.21", "00:00:00:00:00:00",
                         "10.255.2.30"), pad=0)
    tl.send(0, arp_frame(host_mac(0, 0x30), host_mac(2, 0x21), 2, host_mac(0, 0x30), "10.255.2.30", host_mac(2, 0x21),
                         "10.255.2.21"), pad=0)
    # A broadcast request on port 1 for the router's address on port 2: not ours on that port, flooded.
    tl.send(1, arp_frame(host_mac(1, 0x51), BCAST, 1, host_mac(1, 0x51), "10.255.1.51", "00:00:00:00:00:00",
                         "10.255.2.1"), pad=0)
    # A unicast request to the router (a cache refresh): answered.
    tl.send(2, arp_frame(host_mac(2, 0x20), router_mac(2), 1, host_mac(2, 0x20), "10.255.2.20", router_mac(2),
                         "10.255.2.1"), pad=0)
    # Unicast ARP to the router's MAC for an address that is not the router's: dropped.
    tl.send(3, arp_frame(host_mac(3, 0x52), router_mac(3), 1, host_mac(3, 0x52), "10.255.3.52", "00:00:00:00:00:00",
                         "10.255.3.99"), pad=0)
    # Malformed: hardware length 8; a protocol type not IPv4; a broadcast ARP frame cut to 40 bytes.
    b = bytearray(arp_frame(host_mac(0, 0x53), BCAST, 1, host_mac(0, 0x53), "10.255.0.53", "00:00:00:00:00:00",
                            "10.255.0.1"))
    b[18] = 8
    tl.send(0, bytes(b), pad=0)
    b = bytearray(arp_frame(host_mac(0, 0x53), BCAST, 1, host_mac(0, 0x53), "10.255.0.53", "00:00:00:00:00:00",
                            "10.255.0.1"))
    b[16:18] = b"\x86\xdd"
    tl.send(0, bytes(b), pad=0)
    tl.send(0, arp_frame(host_mac(0, 0x53), BCAST, 1, host_mac(0, 0x53), "10.255.0.53", "00:00:00:00:00:00",
                         "10.255.0.1")[:40])
    # A host claims a static next hop's address: answered, but the static entry stays.
    tl.send(1, arp_frame(host_mac(1, 0x66), BCAST, 1, host_mac(1, 0x66), "10.255.1.2", "00:00:00:00:00:00",
                         "10.255.1.1"), pad=0)
    tl.send(0, routed(0, ipv4(SOURCE[0] % 110, "10.9.9.9", proto_payload=l4("udp", k()))))
    # A learned host changes its MAC: the learned entry follows.
    tl.send(1, arp_frame(host_mac(1, 0x5a), BCAST, 1, host_mac(1, 0x5a), "10.255.1.50", "00:00:00:00:00:00",
                         "10.255.1.1"), pad=0)
    tl.send(0, routed(0, ipv4(SOURCE[0] % 111, "10.255.1.50", proto_payload=l4("udp", k()))))

    # --- 12. Forwarding to a connected host with no ARP entry: request out + drop, at most one
    # request per next hop per second; the host's ARP reply (to the router) or request resolves it.
    tl.send(0, routed(0, ipv4(SOURCE[0] % 120, "10.255.3.50", proto_payload=l4("udp", k()))))
    tl.send(1, routed(1, ipv4(SOURCE[1] % 120, "10.255.3.50", proto_payload=l4("tcp", k()))))
    tl.gap(500_000)
    tl.send(2, routed(2, ipv4(SOURCE[2] % 120, "10.255.3.50", proto_payload=l4("udp", k()))))
    tl.send(3, arp_frame(host_mac(3, 0x50), router_mac(3), 2, host_mac(3, 0x50), "10.255.3.50", router_mac(3),
                         "10.255.3.1"), pad=0)
    tl.send(0, routed(0, ipv4(SOURCE[0] % 121, "10.255.3.50", proto_payload=l4("udp", k()))))
    tl.send(1, routed(1, ipv4(SOURCE[1] % 121, "10.255.3.50", proto_payload=l4("icmp", k()))))
    # Another host: a request, a second one 1.2 s later (a new ARP request), then the host asks the router.
    tl.send(2, routed(2, ipv4(SOURCE[2] % 122, "10.255.0.77", proto_payload=l4("udp", k()))))
    tl.gap(998_000)
    tl.send(2, routed(2, ipv4(SOURCE[2] % 122, "10.255.0.77", proto_payload=l4("udp", k()))))    # 0.999 s later: asked already
    tl.gap(200_000)
    tl.send(3, routed(3, ipv4(SOURCE[3] % 122, "10.255.0.77", proto_payload=l4("udp", k()))))
    tl.send(0, arp_frame(host_mac(0, 0x77), BCAST, 1, host_mac(0, 0x77), "10.255.0.77", "00:00:00:00:00:00",
                         "10.255.0.1"), pad=0)
    tl.send(3, routed(3, ipv4(SOURCE[3] % 123, "10.255.0.77", proto_payload=l4("tcp", k()))))
    # An echo request from the host learned in step 11 (answered straight to it).
    tl.send(1, eth(host_mac(1, 0x5a), router_mac(1), ipv4("10.255.1.50", "10.255.1.1", proto_payload=l4("icmp", k()))))

    # --- 13. Bridging: unknown unicast is flooded, learned destinations forwarded, same-port filtered,
    # broadcast flooded.
    A, B, C = host_mac(1, 0xa1), host_mac(3, 0xb3), host_mac(1, 0xc1)
    data = ipv4("10.255.1.161", "10.255.1.179", proto_payload=l4("udp", k()))
    tl.send(1, eth(A, B, data))                                    # B unknown: flooded to 0, 2, 3
    tl.send(3, eth(B, A, ipv4("10.255.1.179", "10.255.1.161", proto_payload=l4("udp", k()))))  # A known: to 1
    tl.send(1, eth(A, B, ipv4("10.255.1.161", "10.255.1.179", proto_payload=l4("tcp", k()))))  # B known: to 3
    tl.send(1, eth(C, A, ipv4("10.255.1.193", "10.255.1.161", proto_payload=l4("udp", k()))))  # same port: filtered
    tl.send(1, eth(A, BCAST, b"\x00" * 46, etype=0x88B5))          # broadcast: flooded
    tl.send(2, eth(host_mac(2, 0x21), host_mac(0, 0x30), b"\x01" * 50, etype=0x88B6))  # learned in step 11: to 0
    tl.send(0, eth(host_mac(0, 0x30), "01:00:5e:7f:ff:fa", b"\x02" * 46, etype=0x88B5))  # multicast: flooded
    tl.send(0, eth("03:00:00:00:00:01", A, b"\x03" * 46, etype=0x88B5))  # group source (not learned): to 1
    tl.send(2, eth(host_mac(2, 0x40), "03:00:00:00:00:01", b"\x04" * 46, etype=0x88B5))  # group destination: flooded
    tl.send(2, eth(host_mac(2, 0x41), router_mac(1), ipv4("10.255.2.65", "10.1.5.5",
                                                          proto_payload=l4("udp", k()))))  # another port's router MAC: bridged
    tl.send(3, eth(B, B, b"\x05" * 46, etype=0x88B5))              # to itself: filtered
    tl.send(2, eth(A, B, b"\x06" * 46, etype=0x88B5))              # A moved to port 2; B on 3
    tl.send(3, eth(B, A, b"\x07" * 46, etype=0x88B5))              # A now on port 2
    # Aging (300 s, IEEE 802.1D's default): after 301 s, B is unknown again.
    tl.gap(301_000_000)
    tl.send(1, eth(C, B, b"\x08" * 46, etype=0x88B5))              # flooded

    tl.write(ports=[0, 1, 2, 3])
    return tl


def arp42():
    """An ARP request for the router in a frame of 42 bytes (no padding)."""
    tl = Timeline("arp42")
    tl.send(2, arp_frame(host_mac(2, 0x42), BCAST, 1, host_mac(2, 0x42), "10.255.2.42", "00:00:00:00:00:00",
                         "10.255.2.1"))
    tl.write()
    return tl


def martian():
    """Datagrams with addresses that must not appear outside a host: transit datagrams to 127/8 and 0/8
    (RFC 1812 5.3.7, 4.2.3.1), and echo requests to the router from sources that are not a unicast host
    (RFC 1122 3.2.1.3: silently discarded)."""
    tl = Timeline("martian")
    for i, dst in enumerate(["127.0.0.1", "127.255.0.9", "0.0.0.0", "0.1.2.3"]):
        tl.send(0, routed(0, ipv4(SOURCE[0] % (20 + i), dst, proto_payload=l4("udp", 200 + i))))
    for i, src in enumerate(["224.1.1.1", "255.255.255.255", "240.1.1.1", "127.0.0.1", "0.0.0.7"]):
        tl.send(1, routed(1, ipv4(src, "10.255.1.1", proto_payload=l4("icmp", 230 + i))))
    tl.write()
    return tl


def dbcast():
    """Directed broadcasts of the router's connected subnets: as destinations of transit datagrams
    (RFC 1812 5.3.5.2, RFC 2644: not forwarded by default) and as sources (RFC 1812 5.3.7: not a valid
    source; 4.3.2.7: no ICMP error to it either)."""
    tl = Timeline("dbcast")
    for i, dst in enumerate(["10.255.1.255", "10.255.3.255"]):
        tl.send(0, routed(0, ipv4(SOURCE[0] % (20 + i), dst, proto_payload=l4("udp", 240 + i))))
    tl.send(2, routed(2, ipv4("10.255.2.255", "10.7.7.7", proto_payload=l4("udp", 250))))
    tl.send(2, routed(2, ipv4("10.255.2.255", "10.7.7.7", ttl=1, proto_payload=l4("udp", 251))))
    tl.write()
    return tl


def reserved():
    """Frames to IEEE 802.1D's reserved group addresses 01-80-C2-00-00-00..0F, which a bridge never
    relays: a spanning tree BPDU, a PAUSE frame, an LLDP frame."""
    tl = Timeline("reserved")
    h = host_mac(1, 0x70)
    tl.send(1, eth(h, "01:80:c2:00:00:00", b"\x42\x42\x03" + bytes(35), etype=38))  # 802.3 length + LLC
    tl.send(1, eth(h, "01:80:c2:00:00:01", b"\x00\x01\xff\xff" + bytes(42), etype=0x8808))
    tl.send(1, eth(h, "01:80:c2:00:00:0e", b"\x02\x07\x04" + bytes(43), etype=0x88CC))
    tl.write()
    return tl


def noport():
    """Frames on port 5, which has no interface, so is not one of the bridge's ports."""
    tl = Timeline("noport")
    x = host_mac(5, 1)
    tl.send(5, eth(x, BCAST, b"\x09" * 46, etype=0x88B5))                       # broadcast from a non-bridge port
    tl.send(1, eth(host_mac(1, 5), x, b"\x0a" * 46, etype=0x88B5))              # to the host seen on port 5
    tl.send(5, arp_frame(x, BCAST, 1, x, "10.255.5.9", "00:00:00:00:00:00", "10.255.0.1"), pad=0)
    tl.send(5, eth(x, router_mac(0), ipv4("10.255.5.9", "10.7.7.7", proto_payload=l4("udp", 220))))
    tl.write()
    return tl


def asym():
    """ICMP errors whose way back leaves by another port (RFC 1812 4.3.2.4 names the source address)."""
    tl = Timeline("asym")
    # On port 1 from sources whose routes leave by port 2 (172.20/12 via 10.255.2.5) and 3 (192.168/16).
    tl.send(1, routed(1, ipv4("172.20.9.9", "10.7.7.7", ttl=1, proto_payload=l4("udp", 300))))
    tl.send(1, routed(1, ipv4("192.168.9.9", "8.8.8.8", proto_payload=l4("udp", 301))))
    tl.write()
    return tl


def sat64():
    """10,000 routed UDP frames of 60 captured bytes (64 on the wire) on port 0, 1 us apart: a random
    address inside each route of routes.txt in turn (fixed seed), kept to addresses that resolve without
    ARP traffic (out of the router's own subnets, below 224.0.0.0)."""
    rng = random.Random(64)
    prefixes = [(prefix, length) for prefix, length, _, _ in read_route_list(os.path.join(HERE, "routes.txt"))]
    frames = []
    t = T0_US
    for i in range(10_000):
        base, l = prefixes[i % len(prefixes)]
        while True:
            dst = base | (rng.getrandbits(32 - l) if l < 32 else 0)
            if dst >> 10 != 0x0AFF0000 >> 10 and dst < 0xE0000000:     # not 10.255.0.0/22, not 224/3
                break
        d = int_to_ip(dst)
        src = "203.0.113.%d" % (1 + i % 250)
        p = IP(src=src, dst=d, ttl=64, id=i & 0xFFFF) / UDP(sport=1024 + i % 60000, dport=9) / Raw(bytes(18))
        frame = raw(Ether(src=hop_mac(UPSTREAM[0]), dst=router_mac(0)) / p)
        assert len(frame) == 60
        t += 1
        frames.append((t * 1000, frame))
    write_pcap(os.path.join(TRACES, "sat64.pcap"), frames)
    return len(frames)


def main():
    os.makedirs(TRACES, exist_ok=True)
    for name in os.listdir(TRACES):
        if name.endswith(".pcap"):
            os.remove(os.path.join(TRACES, name))
    b = basic()
    a = arp42()
    m = martian()
    d = dbcast()
    r = reserved()
    s = asym()
    o = noport()
    n = sat64()
    print("basic: %d frames, arp42: %d, martian: %d, dbcast: %d, reserved: %d, asym: %d, noport: %d, sat64: %d"
          % (b.count, a.count, m.count, d.count, r.count, s.count, o.count, n))


if __name__ == "__main__":
    main()
