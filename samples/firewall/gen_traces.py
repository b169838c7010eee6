#!/usr/bin/python3
"""Writes the firewall's test traces into traces/ (deterministic: fixed seeds and timestamps).

Port 0 faces the inside network 10.1.0.0/16, port 1 the Internet (see firewall.ctl). Traces:
  rules_p0/p1     one packet per case: first-match order, prefix lengths, port range edges,
                  protocol wildcards, drop rules, the default policy, both directions
  flows_p0/p1     TCP conversations in both directions, repeated dropped flows, and flows that
                  share one cache set to show the LRU replacement (cache hits and evictions)
  malformed       non-IPv4, ARP, truncated, malformed, bad-checksum and fragmented frames
  badport         frames on port 2, which the firewall does not have
  changes_p0/p1   steady flows while changes.ctl changes the rules, the default and ARP handling
  sat64           8,192 frames of 60 bytes (64 on the wire with the FCS) from 2,048 flows
Run: /usr/bin/python3 gen_traces.py (then model.py for the expected results).
"""
import os
import random
import sys

from scapy.all import ARP, GRE, ICMP, IP, IPOption_Router_Alert, IPv6, TCP, UDP, Dot1Q, Dot3, Ether, LLC, Raw

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "lib"))
from sample_kit import hash32, ip_to_int, pad_frame, write_pcap  # noqa: E402

TRACES = os.path.join(HERE, "traces")

T0_NS = 1_700_000_000 * 1_000_000_000       # the first frame of every trace

INSIDE_MAC = "02:00:00:00:01:01"             # a host on port 0's side
OUTSIDE_MAC = "02:00:00:00:02:01"            # the Internet router on port 1's side

CACHE_SETS = 1024                            # flow_cache.baker's geometry, for the LRU case


def frame(l3, port):
    """Ethernet frame bytes for an IP-or-other payload sent from the side of port, padded to 60 bytes."""
    src, dst = (INSIDE_MAC, OUTSIDE_MAC) if port == 0 else (OUTSIDE_MAC, INSIDE_MAC)
    return pad_frame(Ether(src=src, dst=dst) / l3)


def tcp(src, dst, sport, dport, flags="S", payload=b""):
    return IP(src=src, dst=dst) / TCP(sport=sport, dport=dport, flags=flags, seq=1000, window=8192) / Raw(payload)


def udp(src, dst, sport, dport, payload=b"firewall"):
    return IP(src=src, dst=dst) / UDP(sport=sport, dport=dport) / Raw(payload)


def icmp(src, dst, kind=8):
    return IP(src=src, dst=dst) / ICMP(type=kind, id=7, seq=1) / Raw(b"ping")


def gre(src, dst):
    return IP(src=src, dst=dst) / GRE(proto=0x0800) / IP(src="172.16.0.1", dst="172.16.0.2") / ICMP()


def write(name, frames, nano=False):
    """frames: (timestamp ns, bytes[, wire length]) in order."""
    write_pcap(os.path.join(TRACES, name), frames, nano=nano)


def write_ports(stem, cases, gap_ns):
    """cases: (port, bytes) in arrival order; one file per port, timestamps gap_ns apart overall."""
    per_port = {0: [], 1: []}
    for i, (port, data) in enumerate(cases):
        per_port[port].append((T0_NS + i * gap_ns, data))
    for port, frames in per_port.items():
        write(f"{stem}_p{port}.pcap", frames)


def rules_trace():
    """One packet per case; the comment names the rule of firewall.ctl that matches it first."""
    P0, P1 = 0, 1
    cases = [
        # Rule 0 (blocked network, any protocol) comes before every permit.
        (P1, tcp("198.51.100.1", "10.1.0.10", 40000, 8000)),          # 0, not 3
        (P1, icmp("198.51.100.255", "10.1.2.3")),                     # 0 (any protocol), not 14
        (P1, udp("198.51.100.77", "10.1.0.53", 33000, 53)),           # 0, not 5
        (P1, tcp("198.51.101.0", "10.1.0.10", 40000, 8000)),          # 3: just past the /24
        (P1, tcp("198.51.99.255", "10.1.0.10", 40000, 8000)),         # 3: just before it
        # SSH: the administrator's /32 first (rule 1), everyone else dropped (rule 2).
        (P1, tcp("203.0.113.7", "10.1.2.3", 50000, 22)),              # 1
        (P1, tcp("203.0.113.8", "10.1.2.3", 50000, 22)),              # 2 (drop)
        (P1, tcp("203.0.113.6", "10.1.2.3", 50000, 22)),              # 2 (drop)
        (P1, tcp("203.0.113.7", "10.1.255.255", 50000, 22)),          # 1: last address of the /16
        (P1, tcp("203.0.113.7", "10.1.0.0", 50000, 22)),              # 1: first address of the /16
        (P1, tcp("203.0.113.7", "10.2.0.0", 50000, 22)),              # none: past the /16
        (P1, tcp("203.0.113.7", "10.0.255.255", 50000, 22)),          # none: before it
        (P1, udp("203.0.113.7", "10.1.2.3", 50000, 22)),              # none: rules 1 and 2 are TCP only
        # The application server's range 8000..8099 (rule 3) and its replies (rule 4).
        (P1, tcp("93.184.216.34", "10.1.0.10", 40000, 7999)),         # none
        (P1, tcp("93.184.216.34", "10.1.0.10", 40000, 8000)),         # 3
        (P1, tcp("93.184.216.34", "10.1.0.10", 40000, 8099)),         # 3
        (P1, tcp("93.184.216.34", "10.1.0.10", 40000, 8100)),         # none
        (P1, tcp("93.184.216.34", "10.1.0.11", 40000, 8000)),         # none: rule 3 is a /32
        (P0, tcp("10.1.0.10", "93.184.216.34", 8000, 40000, "SA")),   # 4
        (P0, tcp("10.1.0.10", "93.184.216.34", 8099, 1024, "SA")),    # 4: both range edges
        (P0, tcp("10.1.0.10", "93.184.216.34", 8099, 1023, "SA")),    # 10: dport below rule 4's range
        (P0, tcp("10.1.0.10", "93.184.216.34", 8100, 40000, "SA")),   # 10: sport past it
        # DNS server (rules 5 and 6).
        (P1, udp("8.8.8.8", "10.1.0.53", 33000, 53)),                 # 5
        (P0, udp("10.1.0.53", "8.8.8.8", 53, 33000)),                 # 6
        (P0, tcp("10.1.0.53", "8.8.8.8", 53, 33000, "SA")),           # none: rule 6 is UDP, sport 53 < 1024
        (P0, udp("10.1.0.54", "8.8.8.8", 53, 33000)),                 # none: rule 6 is a /32
        # The partner networks (rules 7 and 8): a /25 and a /21, any protocol.
        (P1, gre("192.0.2.1", "10.1.8.1")),                           # 7: GRE (ports 0)
        (P1, udp("192.0.2.127", "10.1.15.254", 5000, 5000)),          # 7: last address of the /25
        (P1, gre("192.0.2.128", "10.1.8.1")),                         # none: past the /25
        (P1, gre("192.0.2.1", "10.1.16.0")),                          # none: past the /21
        (P1, tcp("192.0.2.1", "10.1.7.255", 80, 40000, "SA")),        # 11: before the /21, a server reply
        (P0, gre("10.1.8.1", "192.0.2.1")),                           # 8
        (P0, icmp("10.1.15.255", "192.0.2.127")),                     # 8, not 14
        # Inside clients: mail dropped (rule 9) before the general permit (rule 10).
        (P0, tcp("10.1.2.3", "93.184.216.34", 40001, 25)),            # 9 (drop)
        (P0, tcp("10.1.2.3", "93.184.216.34", 40001, 24)),            # 10
        (P0, tcp("10.1.2.3", "93.184.216.34", 40001, 26)),            # 10
        (P0, tcp("10.1.2.3", "93.184.216.34", 1023, 443)),            # none: sport below 1024
        (P0, tcp("10.1.2.3", "93.184.216.34", 1024, 443)),            # 10
        (P0, tcp("10.1.2.3", "93.184.216.34", 65535, 443)),           # 10
        # Server replies (rule 11): sport 1..1023 to dport 1024..65535.
        (P1, tcp("93.184.216.34", "10.1.2.3", 443, 40001, "SA")),     # 11
        (P1, tcp("93.184.216.34", "10.1.2.3", 0, 40001, "SA")),       # none: sport 0
        (P1, tcp("93.184.216.34", "10.1.2.3", 1023, 1024, "SA")),     # 11: both edges
        (P1, tcp("93.184.216.34", "10.1.2.3", 1024, 40001, "SA")),    # none
        (P1, tcp("93.184.216.34", "10.1.2.3", 443, 1023, "SA")),      # none
        # NTP (rules 12, 13), exact ports.
        (P0, udp("10.1.2.3", "129.6.15.28", 123, 123)),               # 12
        (P1, udp("129.6.15.28", "10.1.2.3", 123, 123)),               # 13
        (P0, udp("10.1.2.3", "129.6.15.28", 124, 123)),               # none
        # ICMP (rule 14): proto exact 1, any address.
        (P0, icmp("10.1.2.3", "8.8.8.8")),                            # 14
        (P1, icmp("8.8.8.8", "10.1.2.3", 0)),                         # 14
        (P1, icmp("203.0.113.8", "10.9.9.9")),                        # 14
        (P1, IP(src="10.9.9.9", dst="224.0.0.1", proto=2) / Raw(b"\x11\x64\xee\x9b\x00\x00\x00\x00")),  # none: IGMP
        # DHCP (rule 15): ports 67..68 both ways, relays included.
        (P0, udp("0.0.0.0", "255.255.255.255", 68, 67)),              # 15
        (P1, udp("10.1.0.1", "255.255.255.255", 67, 68)),             # 15
        (P1, udp("10.30.1.1", "10.40.2.3", 67, 67)),                  # 15
        (P0, udp("10.1.2.3", "8.8.8.8", 40000, 53)),                  # none: no rule lets clients query outside DNS
        # Rules have no direction: an inside address arriving from outside is treated alike.
        (P1, tcp("10.1.2.3", "93.184.216.34", 40002, 443)),           # 10
    ]
    write_ports("rules", [(port, frame(l3, port)) for port, l3 in cases], 100_000)


def cache_set(src, dst, sport, dport, proto):
    """The set flow_cache.baker's flow_hash puts a 5-tuple in (addresses as integers)."""
    h = hash32(src << 32 | dst)
    h = hash32((h ^ proto) << 32 | sport << 16 | dport)
    return h & (CACHE_SETS - 1)


def colliding_sports(src, dst, dport, count):
    """count TCP source ports from 50000 up whose flows src:port -> dst:dport share one cache set."""
    first = cache_set(ip_to_int(src), ip_to_int(dst), 50000, dport, 6)
    ports = [50000]
    sport = 50001
    while len(ports) < count:
        if cache_set(ip_to_int(src), ip_to_int(dst), sport, dport, 6) == first:
            ports.append(sport)
        sport += 1
    return ports


def flows_trace():
    rng = random.Random(20240501)
    conversations = []
    servers = ["93.184.216.34", "151.101.1.69", "140.82.112.3", "104.16.132.229"]
    for i in range(12):
        client, cport = f"10.1.2.{10 + i}", 41000 + 17 * i
        server, sport = servers[i % len(servers)], (443, 80)[i % 2]
        steps = [(0, "S", b""), (1, "SA", b""), (0, "A", b""), (0, "PA", b"GET / HTTP/1.1\r\n\r\n"),
                 (1, "PA", b"HTTP/1.1 200 OK\r\n\r\n"), (0, "FA", b""), (1, "FA", b""), (0, "A", b"")]
        packets = []
        for direction, flags, payload in steps:
            if direction == 0:
                packets.append((0, tcp(client, server, cport, sport, flags, payload)))   # rule 10
            else:
                packets.append((1, tcp(server, client, sport, cport, flags, payload)))   # rule 11
        conversations.append(packets)
    for i in range(3):                      # SSH attempts dropped by rule 2, again and again
        conversations.append([(1, tcp(f"203.0.113.{20 + i}", "10.1.2.3", 52000 + i, 22))] * 4)
    for i in range(2):                      # no rule: dropped by default, also from the cache
        conversations.append([(0, udp(f"10.1.2.{30 + i}", "8.8.8.8", 43000 + i, 53))] * 3)
    # Interleave the conversations, keeping each one's order.
    merged = []
    queues = [list(c) for c in conversations]
    while any(queues):
        q = rng.choice([q for q in queues if q])
        merged.append(q.pop(0))
    # Six flows of one cache set (4 ways): the reuse of flow 0 saves it from eviction (LRU, not FIFO).
    sports = colliding_sports("10.1.3.1", "93.184.216.34", 443, 6)
    for k in (0, 1, 2, 3, 0, 4, 1, 0, 5, 2, 0, 3):
        merged.append((0, tcp("10.1.3.1", "93.184.216.34", sports[k], 443, "A")))  # rule 10
    write_ports("flows", [(port, frame(l3, port)) for port, l3 in merged], 50_000)


def malformed_trace():
    """Everything ipv4_parse must refuse (and ARP, which it passes), on port 0; the comment is the reason."""
    ok_tcp = tcp("10.1.2.3", "93.184.216.34", 40001, 443)                      # rule 10 when intact
    good = frame(ok_tcp, 0)
    cases = [
        frame(ARP(op=1, hwsrc=INSIDE_MAC, psrc="10.1.2.3", pdst="10.1.0.1"), 0),   # ARP: passed
        bytes(Ether(src=INSIDE_MAC, dst="ff:ff:ff:ff:ff:ff") / ARP(op=1, hwsrc=INSIDE_MAC, psrc="10.1.2.3", pdst="10.1.2.4")),  # ARP, unpadded 42 bytes: passed
        frame(IPv6(src="2001:db8::1", dst="2001:db8::2") / UDP(sport=1000, dport=53), 0),  # not IPv4
        frame(Dot1Q(vlan=10) / ok_tcp, 0),                                          # not IPv4 (VLAN tag)
        bytes(Dot3(src=INSIDE_MAC, dst="01:80:c2:00:00:00") / LLC(dsap=0x42, ssap=0x42, ctrl=3) / Raw(bytes(38))),  # not IPv4 (802.3)
        good[:10],                                                                  # truncated: no EtherType
        good[:14],                                                                  # truncated: no IPv4 header
        good[:30],                                                                  # truncated: 16 bytes of IPv4
        frame(IP(version=6, src="10.1.2.3", dst="93.184.216.34") / TCP(sport=40001, dport=443), 0),  # malformed: version 6
        frame(IP(ihl=4, src="10.1.2.3", dst="93.184.216.34") / TCP(sport=40001, dport=443), 0),      # malformed: ihl 4
        frame(IP(len=16, src="10.1.2.3", dst="93.184.216.34") / TCP(sport=40001, dport=443), 0),     # malformed: total length < header
        frame(IP(len=400, src="10.1.2.3", dst="93.184.216.34") / TCP(sport=40001, dport=443), 0),    # truncated: total length past the frame
        frame(IP(chksum=0x1234, src="10.1.2.3", dst="93.184.216.34") / TCP(sport=40001, dport=443), 0),  # bad checksum
        frame(IP(flags="MF", src="10.1.2.3", dst="93.184.216.34") / TCP(sport=40001, dport=443), 0),     # fragment: the first
        frame(IP(frag=185, src="10.1.2.3", dst="93.184.216.34", proto=6) / Raw(bytes(24)), 0),         # fragment: a later one
        frame(IP(flags="DF", src="10.1.2.3", dst="93.184.216.34") / TCP(sport=40001, dport=443), 0),     # rule 10: DF is no fragment
        frame(IP(len=28, src="10.1.2.3", dst="93.184.216.34") / TCP(sport=40001, dport=443), 0),     # truncated: 8 bytes of TCP
        frame(IP(src="10.1.2.3", dst="93.184.216.34") / TCP(sport=40001, dport=443, dataofs=4), 0),  # malformed: TCP data offset 4
        frame(IP(src="10.1.2.3", dst="93.184.216.34") / TCP(sport=40001, dport=443, dataofs=15), 0), # truncated: TCP options past the end
        frame(IP(len=24, src="10.1.2.3", dst="8.8.8.8") / UDP(sport=123, dport=123), 0),            # truncated: 4 bytes of UDP
        frame(IP(src="10.1.2.3", dst="93.184.216.34", options=[IPOption_Router_Alert()]) / TCP(sport=40001, dport=443), 0),  # rule 10: ports after options
        frame(icmp("10.1.2.3", "8.8.8.8"), 0),                                     # rule 14: padded to 60 bytes
        frame(IP(src="10.1.2.3", dst="8.8.8.8", proto=17) / Raw(bytes(8)), 0),    # no rule: a UDP header of zeros (ports 0)
    ]
    # A capture cut at 40 bytes of a 60-byte frame: processed on what was captured.
    frames = [(T0_NS + i * 100_000, data) for i, data in enumerate(cases)]
    frames.append((T0_NS + len(cases) * 100_000, good[:40], len(good)))
    write("malformed.pcap", frames)
    # Port 2 does not exist on a two-port firewall.
    write("badport.pcap", [(T0_NS + 50_000 + i * 200_000, frame(icmp("10.1.2.3", "8.8.8.8"), 0)) for i in range(3)])


def changes_trace():
    """Every millisecond (+0.5 ms), flows A (UDP :5000), B (:7000), C (:9000) from the inside and
    D from the outside, in turn; an ARP request every 10 ms. changes.ctl changes the rules on whole ms."""
    cases = []
    for k in range(80):
        t = T0_NS + k * 1_000_000 + 500_000
        turn = k % 4
        if turn == 3:
            cases.append((t, 1, frame(udp("198.18.0.1", "10.1.2.3", 5000, 40000), 1)))              # D
        else:
            dport = (5000, 7000, 9000)[turn]
            cases.append((t, 0, frame(udp("10.1.2.3", "198.18.0.1", 40000, dport), 0)))              # A, B, C
        if k % 10 == 5:
            cases.append((t + 200_000, 0, frame(ARP(op=1, hwsrc=INSIDE_MAC, psrc="10.1.2.3", pdst="10.1.0.1"), 0)))
    for port in (0, 1):
        write(f"changes_p{port}.pcap", [(t, data) for t, p, data in cases if p == port])


def sat64_trace():
    """Saturation input: 8,192 TCP frames of 60 bytes (64 with the FCS) from 2,048 inside clients'
    flows to outside servers, all permitted by rule 10, 672 ns apart (1 Gbit/s line rate)."""
    rng = random.Random(64)
    flows, seen = [], set()
    while len(flows) < 2048:
        flow = (f"10.1.{rng.randrange(256)}.{rng.randrange(1, 255)}", f"{rng.randrange(1, 224)}.{rng.randrange(256)}.{rng.randrange(256)}.{rng.randrange(1, 255)}",
                rng.randrange(1024, 65536), rng.choice((80, 443, 8080)))
        if flow not in seen:
            seen.add(flow)
            flows.append(flow)
    frames = []
    for i in range(8192):
        src, dst, sport, dport = flows[rng.randrange(len(flows))]
        data = frame(tcp(src, dst, sport, dport, "A"), 0)
        assert len(data) == 60
        frames.append((T0_NS + i * 672, data))
    write("sat64.pcap", frames, nano=True)


def main():
    os.makedirs(TRACES, exist_ok=True)
    rules_trace()
    flows_trace()
    malformed_trace()
    changes_trace()
    sat64_trace()


if __name__ == "__main__":
    main()
