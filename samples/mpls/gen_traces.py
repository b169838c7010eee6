#!/usr/bin/python3
"""Writes the MPLS sample's crafted traces, traces/<name>.pcap, one file per scenario.

Every frame of a file arrives on one port (the expected files' run: lines say which). The
addresses follow mpls.ctl: the router's MAC on port N is 02:4c:53:52:00:0N and its neighbour
there (10.0.N.2) is 02:00:0a:00:0N:02. Frames are padded to the Ethernet minimum of 60 bytes,
as they are on the wire. Deterministic: fixed timestamps (1 ms apart from a fixed epoch), fixed
IP identifications and payloads, no randomness.

Run: /usr/bin/python3 gen_traces.py   (then /usr/bin/python3 model.py)
"""
import os
import struct
import sys

from scapy.all import ARP, Dot1Q, ICMP, IP, IPOption_EOL, IPOption_NOP, IPv6, TCP, UDP, Ether, Raw
from scapy.contrib.mpls import MPLS

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "lib"))
from sample_kit import NS, inet_checksum, pad_frame, write_pcap  # noqa: E402

TRACES = os.path.join(HERE, "traces")
EPOCH_S = 1_700_000_000          # the first frame's time; frames follow 1 ms apart
BROADCAST = "ff:ff:ff:ff:ff:ff"


def router_mac(port):
    return "02:4c:53:52:00:%02x" % port


def peer_mac(port):
    return "02:00:0a:00:%02x:02" % port


def udp(src, dst, ttl=64, tos=0, ident=1, size=18, sport=4000, dport=5000):
    body = bytes((ident + i) & 0xFF for i in range(size))
    return IP(src=src, dst=dst, ttl=ttl, tos=tos, id=ident) / UDP(sport=sport, dport=dport) / Raw(body)


def echo(src, dst, ttl=64, ident=1, seq=1):
    return IP(src=src, dst=dst, ttl=ttl, id=ident) / ICMP(type=8, id=0x4d50, seq=seq) / Raw(b"mpls-sample-echo")


def tcp(src, dst, ttl=64, ident=1):
    return IP(src=src, dst=dst, ttl=ttl, id=ident) / TCP(sport=33000, dport=80, flags="S", seq=1000, window=8192)


def ipv6():
    return IPv6(src="2001:db8::1", dst="2001:db8::2", hlim=64) / UDP(sport=4000, dport=5000) / Raw(b"six")


def raw_ipv4(src, dst, options, payload, ttl=64, ident=1, proto=17):
    """An IPv4 header built by hand (scapy will not build malformed options), checksum correct."""
    ihl = 5 + len(options) // 4
    total = ihl * 4 + len(payload)
    header = struct.pack("!BBHHHBBH4s4s", 0x40 | ihl, 0, total, ident, 0, ttl, proto, 0,
                         bytes(map(int, src.split("."))), bytes(map(int, dst.split(".")))) + options
    header = header[:10] + struct.pack("!H", inet_checksum(header)) + header[12:]
    return header + payload


def labelled(port, stack, payload, dst=None):
    """An MPLS frame to the router on port: stack is (label, ttl) or (label, ttl, tc), outermost first."""
    frame = Ether(dst=dst or router_mac(port), src=peer_mac(port), type=0x8847)
    for i, entry in enumerate(stack):
        label, ttl = entry[0], entry[1]
        tc = entry[2] if len(entry) > 2 else 0
        frame = frame / MPLS(label=label, cos=tc, s=1 if i == len(stack) - 1 else 0, ttl=ttl)
    return pad_frame(bytes(frame) + bytes(payload))


def plain(port, payload, dst=None, ethertype=0x0800):
    return pad_frame(bytes(Ether(dst=dst or router_mac(port), src=peer_mac(port), type=ethertype)) + bytes(payload))


def arp(port, op, sha, spa, tpa, dst=BROADCAST, tha="00:00:00:00:00:00"):
    return pad_frame(Ether(dst=dst, src=sha) / ARP(op=op, hwsrc=sha, psrc=spa, hwdst=tha, pdst=tpa))


# ---- the scenarios -----------------------------------------------------------------------------
# Each returns (port, frames); a frame is bytes, or (bytes, length on the wire) when the capture
# was cut short. West hosts are 192.168.1.0/24 (behind port 0), east hosts 172.16.0.0/16 (port 3).

def swap():
    """Transit swaps arriving from P1: one label out, two, three, to explicit null, with a stack below."""
    p = 1
    return p, [
        labelled(p, [(100, 64)], udp("192.168.1.10", "172.16.5.5", ident=1)),
        labelled(p, [(100, 10, 5)], udp("192.168.1.10", "172.16.5.6", ident=2)),          # TC kept
        labelled(p, [(101, 64)], udp("192.168.1.10", "172.16.5.7", ident=3)),             # 2 out
        labelled(p, [(102, 64, 3)], udp("192.168.1.10", "172.16.5.8", ident=4)),          # 3 out
        labelled(p, [(103, 50)], udp("192.168.1.10", "172.16.5.9", ident=5)),             # explicit null out
        labelled(p, [(100, 64), (300, 33)], udp("192.168.1.10", "172.16.5.10", ident=6)),  # inner untouched
        labelled(p, [(102, 64), (300, 64)], udp("192.168.1.10", "172.16.5.11", ident=7)),  # 2 in, 4 out
        labelled(p, [(100, 255)], tcp("192.168.1.11", "172.16.6.1", ident=8)),
        labelled(p, [(101, 9, 7)], udp("192.168.1.12", "172.16.6.2", ident=9, size=200)),
    ]


def php():
    """Penultimate-hop pops from P1: to IPv4 (port 3) and of a transport label (label below goes on)."""
    p = 1
    return p, [
        labelled(p, [(110, 64)], udp("192.168.1.10", "172.16.1.1", ttl=64, ident=20)),    # IP TTL 63
        labelled(p, [(110, 200)], udp("192.168.1.10", "172.16.1.2", ttl=30, ident=21)),   # IP TTL stays 30
        labelled(p, [(110, 64)], udp("192.168.1.10", "172.16.1.3", ident=22, size=2)),    # padding trimmed
        labelled(p, [(111, 64), (500, 64)], udp("192.168.1.10", "172.16.1.4", ident=23)),  # 500 TTL 63
        labelled(p, [(111, 64), (500, 20)], udp("192.168.1.10", "172.16.1.5", ident=24)),  # 500 keeps 20
        labelled(p, [(110, 64)], IP(src="192.168.1.10", dst="172.16.1.6", id=25, chksum=0x1234) / UDP() / Raw(b"bad")),
        labelled(p, [(110, 64)], ipv6()),                                                    # not IPv4
        labelled(p, [(110, 64)], b"\x44" + raw_ipv4("192.168.1.10", "172.16.1.7", b"", b"x" * 8)[1:]),  # IHL 4
        labelled(p, [(110, 64)], IP(src="192.168.1.10", dst="172.16.1.8", id=26,
                                    options=[IPOption_NOP(), IPOption_NOP(), IPOption_NOP(), IPOption_EOL()])
                 / UDP() / Raw(b"opt")),                                                     # options: sent
    ]


def pop_ip():
    """Egress pops from P1 (label 120): the IPv4 packet is routed, pushed again, answered or refused."""
    p = 1
    return p, [
        labelled(p, [(120, 64)], udp("192.168.1.10", "172.16.2.1", ident=30)),           # routed to port 3
        labelled(p, [(120, 10)], udp("192.168.1.10", "172.16.2.2", ident=31)),           # IP TTL 10 -> 9
        labelled(p, [(120, 64)], udp("192.168.1.10", "203.0.113.9", ident=32)),          # into another LSP
        labelled(p, [(120, 64)], echo("192.168.1.10", "10.0.1.1", ident=33)),            # echo to the router
        labelled(p, [(120, 64)], udp("192.168.1.10", "8.8.8.8", ident=34)),              # no route: unreachable
        labelled(p, [(120, 1)], udp("192.168.1.10", "172.16.2.3", ident=35)),            # time exceeded
        labelled(p, [(120, 64)], udp("192.168.1.10", "172.16.2.4", ident=36, size=1)),   # padding trimmed
        labelled(p, [(120, 64)], udp("192.168.1.10", "198.18.0.9", ident=37)),           # plain IP to P1
        labelled(p, [(120, 64)], tcp("192.168.1.10", "198.51.100.77", ident=38)),        # three labels pushed
    ]


def push():
    """Ingress from CE-W: FEC pushes of one, two and three labels, plain IP, and an unresolved next hop."""
    p = 0
    return p, [
        plain(p, udp("192.168.1.10", "203.0.113.10", ident=40)),                  # 1001
        plain(p, udp("192.168.1.10", "203.0.113.11", tos=0xB8, ident=41)),        # TC 5 (precedence of EF)
        plain(p, udp("192.168.1.10", "203.0.113.200", ident=42)),                 # /25 wins: 2001/5001
        plain(p, udp("192.168.1.10", "198.51.100.1", ident=43, size=100)),        # 2002/4002/6002
        plain(p, udp("192.168.1.10", "172.16.9.9", ident=44)),                    # no FEC: routed to port 3
        plain(p, udp("192.168.1.10", "100.64.1.1", ident=45)),                    # ARP miss: request sent
        plain(p, udp("192.168.1.10", "100.64.1.2", ident=46)),                    # ARP miss: no second request
        plain(p, IP(src="192.168.1.10", dst="203.0.113.12", id=47,
                    options=[IPOption_NOP(), IPOption_NOP(), IPOption_NOP(), IPOption_EOL()])
              / UDP(sport=4000, dport=5000) / Raw(b"with options")),                # options path, then pushed
        plain(p, udp("192.168.1.10", "203.0.113.13", ttl=2, ident=48)),           # label TTL 1
        plain(p, tcp("192.168.1.10", "203.0.113.129", ident=49)),
        plain(p, echo("192.168.1.10", "198.51.100.20", ident=50)),
    ]


def deep():
    """Stacks of three and more entries arriving from P2."""
    p = 2
    ip = lambda n: udp("192.168.1.10", "172.16.3.%d" % n, ident=60 + n)
    return p, [
        labelled(p, [(121, 64), (100, 64), (300, 64)], ip(1)),                   # pop, swap 100 -> 200/300
        labelled(p, [(0, 64), (120, 64)], ip(2)),                                # null, egress: routed
        labelled(p, [(121, 64)] * 9, ip(3)),                                     # 9 pops: too deep
        labelled(p, [(121, 64)] * 8, ip(4)),                                     # 8 pops: routed
        labelled(p, [(100, 64), (200, 64), (300, 64), (400, 64)], ip(5)),        # swap the top of four
        labelled(p, [(102, 64), (7000, 64), (7001, 64)], ip(6)),                 # five out
        labelled(p, [(120, 64), (110, 64)], ip(7)),                              # egress pop, then PHP
        labelled(p, [(121, 64), (111, 64), (500, 64)], ip(8)),                   # pop, PHP: 500 goes on
        labelled(p, [(121, 5), (100, 64)], ip(9)),                               # uniform: TTL 5 -> 4
        labelled(p, [(121, 64), (100, 7), (300, 64)], ip(10)),                   # the lower TTL wins: 6
        labelled(p, [(121, 64), (999, 64), (300, 64)], ip(11)),                  # unknown label below
        labelled(p, [(121, 64), (0, 64), (121, 64), (0, 64), (101, 64)], ip(12)),
    ]


def ttl():
    """TTL expiry: swaps and PHPs drop; the egress and the IPv4 path answer with ICMP."""
    p = 1
    ip = lambda n, t=64: udp("192.168.1.10", "172.16.4.%d" % n, ttl=t, ident=80 + n)
    return p, [
        labelled(p, [(100, 1)], ip(1)),                              # expired
        labelled(p, [(100, 0)], ip(2)),                              # expired
        labelled(p, [(100, 2)], ip(3)),                              # out with TTL 1
        labelled(p, [(110, 1)], ip(4)),                              # PHP: expired
        labelled(p, [(111, 1), (500, 64)], ip(5)),                   # PHP: expired
        labelled(p, [(121, 1), (100, 64)], ip(6)),                   # uniform: 1, expired at the swap
        labelled(p, [(0, 1), (101, 64)], ip(7)),                     # explicit null hands TTL 1 down
        labelled(p, [(120, 1)], ip(8)),                              # egress: ICMP time exceeded
        labelled(p, [(120, 64)], ip(9, 1)),                          # IPv4 TTL 1: ICMP time exceeded
        labelled(p, [(120, 2)], ip(10)),                             # IPv4 leaves with TTL 1
        labelled(p, [(0, 0)], ip(11)),                               # explicit null, TTL 0: ICMP
    ]


def explicit_null():
    """IPv4 explicit null (label 0) at the bottom and above other labels, and the IPv6 one (refused)."""
    p = 2
    return p, [
        labelled(p, [(0, 64)], udp("192.168.1.10", "172.16.7.1", ident=100)),          # routed to port 3
        labelled(p, [(0, 64), (100, 64)], udp("192.168.1.10", "172.16.7.2", ident=101)),  # then swapped
        labelled(p, [(0, 64)], ipv6()),                                                  # not IPv4
        labelled(p, [(2, 64)], ipv6()),                                                  # IPv6 null: reserved
        labelled(p, [(0, 64)], echo("192.168.1.10", "10.0.2.1", ident=102)),            # echo reply
        labelled(p, [(0, 64), (0, 64)], udp("192.168.1.10", "203.0.113.140", ident=103)),  # pushed 2001/5001
    ]


def unknown():
    """Labels with no ILM entry, beyond the ILM's range, and reserved ones."""
    p = 1
    ip = lambda n: udp("192.168.1.10", "172.16.8.%d" % n, ident=120 + n)
    return p, [
        labelled(p, [(999, 64)], ip(1)),
        labelled(p, [(70000, 64)], ip(2)),          # beyond the labels the router allocates
        labelled(p, [(1048575, 64)], ip(3)),
        labelled(p, [(16, 64)], ip(4)),
        labelled(p, [(300, 64)], ip(5)),
        labelled(p, [(1, 64), (100, 64)], ip(6)),   # router alert
        labelled(p, [(3, 64)], ip(7)),              # implicit null never appears on the wire
        labelled(p, [(7, 64)], ip(8)),
        labelled(p, [(15, 64)], ip(9)),
    ]


def ip_only():
    """Plain IPv4 and everything else that arrives from CE-W: routing, ICMP, ARP, other EtherTypes."""
    p = 0
    return p, [
        plain(p, udp("192.168.1.10", "172.16.1.1", ident=140)),                    # port 3
        plain(p, udp("192.168.1.10", "198.18.0.5", ident=141)),                    # port 1, no labels
        plain(p, udp("192.168.1.10", "10.0.2.2", ident=142)),                      # connected: port 2
        plain(p, tcp("192.168.1.10", "172.16.1.2", ident=143)),
        plain(p, echo("192.168.1.10", "10.0.0.1", ident=144)),                     # echo reply
        plain(p, udp("192.168.1.10", "8.8.8.8", ident=145)),                       # unreachable
        plain(p, udp("192.168.1.10", "172.16.1.3", ttl=1, ident=146)),             # time exceeded
        plain(p, ipv6(), ethertype=0x86DD),                                         # other EtherType
        plain(p, Dot1Q(vlan=10, type=0x0800) / udp("192.168.1.10", "172.16.1.4"), ethertype=0x8100),
        plain(p, labelled(p, [(100, 64)], udp("192.168.1.10", "172.16.1.5"))[14:], ethertype=0x8848),  # MPLS multicast
        plain(p, udp("192.168.1.10", "172.16.1.6", ident=147), dst="02:00:0a:00:00:99"),  # not for us
        plain(p, udp("192.168.1.10", "172.16.1.7", ident=148), dst=BROADCAST),     # broadcast, not ARP
        arp(p, 1, peer_mac(p), "10.0.0.2", "10.0.0.1"),                             # answered
        arp(p, 1, peer_mac(p), "10.0.0.2", "10.0.0.77"),                            # for another host
        plain(p, IP(src="192.168.1.10", dst="172.16.1.8", id=149, chksum=0xBEEF) / UDP() / Raw(b"bad")),
        plain(p, udp("192.168.1.10", "224.0.0.5", ident=150)),                     # multicast: not routed
        plain(p, IP(src="192.168.1.10", dst="172.16.1.9", id=151,
                    options=[IPOption_NOP(), IPOption_NOP(), IPOption_NOP(), IPOption_EOL()])
              / UDP(sport=4000, dport=5000) / Raw(b"options")),                     # options path
        plain(p, raw_ipv4("192.168.1.10", "172.16.1.10", b"\x07\x09\x04\x00", b"\0" * 8, ident=152)),  # bad option
    ]


def malformed():
    """Frames cut inside the label stack or the IPv4 header below it, from P1."""
    p = 1
    head = bytes(Ether(dst=router_mac(p), src=peer_mac(p), type=0x8847))
    entry = lambda label, s, t=64: struct.pack("!I", (label << 12) | (s << 8) | t)
    ip_head = bytes(udp("192.168.1.10", "172.16.9.1", ident=160))
    long_ip = bytes(udp("192.168.1.10", "172.16.9.2", ident=161, size=200))
    return p, [
        head[:10],                                              # runt: shorter than Ethernet
        head,                                                   # no label at all
        head + entry(100, 1)[:2],                               # half a label
        head + entry(121, 0),                                   # S=0 and nothing below
        head + entry(121, 0) + entry(100, 1)[:3],               # cut in the second entry
        head + entry(120, 1),                                   # bottom, no payload
        head + entry(120, 1) + ip_head[:10],                    # a third of an IPv4 header
        head + entry(120, 1) + long_ip[:60],                    # IPv4 cut: ip_in drops it
        head + entry(110, 1) + long_ip[:60],                    # PHP of a cut IPv4 packet
        head + entry(110, 1) + ip_head[:12],
        head + entry(111, 0),                                   # PHP, S=0, nothing below
        head + entry(110, 1) + b"\x45",
        (head + entry(100, 1) + long_ip[:40], 14 + 4 + len(long_ip)),   # captured short: still swapped
        bytes(Ether(dst=router_mac(p), src=peer_mac(p), type=0x0800)) + ip_head[:16],  # IPv4 too short
        bytes(Ether(dst=router_mac(p), src=peer_mac(p), type=0x8847)) + entry(0, 1) + b"\x60\0",  # v6 nibble
    ]


def arp_resolution():
    """A next hop with no ARP entry: the frame is dropped and a request sent; the reply is learned."""
    p = 1
    host = "02:00:0a:00:01:32"
    return p, [
        labelled(p, [(131, 64)], udp("192.168.1.10", "172.16.10.1", ident=170)),  # request for 10.0.1.50
        labelled(p, [(131, 64)], udp("192.168.1.10", "172.16.10.2", ident=171)),  # within 1 s: no request
        arp(p, 2, host, "10.0.1.50", "10.0.1.1", dst=router_mac(p), tha=router_mac(p)),  # learned
        labelled(p, [(131, 64)], udp("192.168.1.10", "172.16.10.3", ident=172)),  # now sent to host
        arp(p, 1, "02:00:0a:00:01:3c", "10.0.1.60", "10.0.1.1", dst=router_mac(p)),   # unicast request
        arp(p, 1, "02:00:0a:00:01:46", "10.0.1.70", "10.0.1.70"),                    # gratuitous
        arp(p, 1, peer_mac(p), "10.0.1.2", "10.0.2.1"),                             # another port's address
        pad_frame(bytes(Ether(dst=BROADCAST, src=peer_mac(p), type=0x0806)) + b"\x00\x01\x08\x00"),  # cut ARP
        pad_frame(Ether(dst=BROADCAST, src=peer_mac(p)) / ARP(hwtype=6, op=1, psrc="10.0.1.2", pdst="10.0.1.1")),
        labelled(p, [(131, 64)], udp("192.168.1.10", "172.16.10.4", ident=173)),
    ]


def sat64():
    """1024 frames of 64 bytes to port 0's MAC: swaps, swap-pushes, PHP, egress pops and FEC pushes."""
    p = 0
    frames = []
    for i in range(1024):
        kind = i % 8
        dst = "172.16.%d.%d" % (i // 256, i % 256)
        if kind in (0, 1, 2):
            f = labelled(p, [(100, 64)], udp("192.168.1.10", dst, ident=i, size=18))
        elif kind == 3:
            f = labelled(p, [(101, 64)], udp("192.168.1.10", dst, ident=i, size=18))
        elif kind == 4:
            f = labelled(p, [(110, 64)], udp("192.168.1.10", dst, ident=i, size=18))
        elif kind == 5:
            f = labelled(p, [(120, 64)], udp("192.168.1.10", dst, ident=i, size=18))
        elif kind == 6:
            f = plain(p, udp("192.168.1.10", "203.0.113.%d" % (i % 128), ident=i, size=22))
        else:
            f = plain(p, udp("192.168.1.10", dst, ident=i, size=22))
        f = f + b"\0" * (64 - len(f))
        assert len(f) == 64, (i, len(f))
        frames.append(f)
    return p, frames


SCENARIOS = {
    "swap": swap,
    "php": php,
    "pop_ip": pop_ip,
    "push": push,
    "deep": deep,
    "ttl": ttl,
    "explicit_null": explicit_null,
    "unknown": unknown,
    "ip_only": ip_only,
    "malformed": malformed,
    "arp": arp_resolution,
    "sat64": sat64,
}


def timestamped(frames):
    """A scenario's frames as write_pcap records: 1 ms apart from EPOCH_S, (bytes, wire length) kept."""
    return [(EPOCH_S * NS + i * 1_000_000,) + (frame if isinstance(frame, tuple) else (frame,))
            for i, frame in enumerate(frames)]


def scenario_ports():
    """Scenario name -> the port its frames arrive on (model.py reads it to write the run: lines)."""
    return {name: make()[0] for name, make in SCENARIOS.items()}


def main():
    os.makedirs(TRACES, exist_ok=True)
    for name, make in SCENARIOS.items():
        port, frames = make()
        write_pcap(os.path.join(TRACES, name + ".pcap"), timestamped(frames))
        print("traces/%s.pcap: %d frames for port %d" % (name, len(frames), port))


if __name__ == "__main__":
    main()
