#!/usr/bin/python3
"""Writes the NAT's test traces into traces/ (run with Debian's /usr/bin/python3 + python3-scapy).

Deterministic: fixed timestamps, a fixed-seed generator for sat64.pcap, scapy for the packets and a
plain classic-pcap writer (microsecond timestamps, Ethernet link type) so nothing depends on the clock.

The network the traces are written for is nat.ctl's:
  inside  (port 0)  192.168.1.1/24, router MAC 02:00:00:00:00:01; hosts A, B, C, D = .10 .. .13
  outside (port 1)  203.0.113.2/24, router MAC 02:00:00:00:00:02; gateway 203.0.113.1 (static ARP)
  servers           198.51.100.0/24, behind the gateway
The replies in the WAN traces are addressed to the public ports the NAT's documented policy hands
out (round robin from the start of the range, per protocol); the comments say which connection
took which port. A reply sent to the wrong port would be dropped, so model and app both notice.

Traces (one pcap per input port; no timestamp appears in both files of a run):
  lan.pcap, wan.pcap                the functional trace (nat.ctl): see basic() below
  exhaust_lan.pcap, exhaust_wan.pcap  a 4-port range running out (exhaust.ctl)
  static_lan.pcap, static_wan.pcap  a public address that is not the WAN interface's (static.ctl)
  sat64.pcap                        10,240 64-byte (60 captured bytes) UDP frames of 1,024 flows
                                    on port 0, for saturation benchmarks
"""
import os
import random
import struct
import sys

from scapy.all import ARP, ICMP, IP, TCP, UDP, Ether, IPOption, Raw

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "lib"))
from sample_kit import pad_frame, write_pcap  # noqa: E402

TRACES = os.path.join(HERE, "traces")

T0_US = 1_700_000_000 * 1_000_000      # 2023-11-14 22:13:20 UTC, in microseconds
BCAST = "ff:ff:ff:ff:ff:ff"

LAN, WAN = 0, 1
ROUTER_LAN_MAC, ROUTER_WAN_MAC = "02:00:00:00:00:01", "02:00:00:00:00:02"
ROUTER_LAN_IP, ROUTER_WAN_IP = "192.168.1.1", "203.0.113.2"
GATEWAY_IP, GATEWAY_MAC = "203.0.113.1", "02:00:00:00:00:fe"
PUBLIC = ROUTER_WAN_IP                 # masquerading: the public address is the WAN interface's

HOSTS = {"A": "192.168.1.10", "B": "192.168.1.11", "C": "192.168.1.12", "D": "192.168.1.13"}
WEB, DNS, DNS2, PROBE, SCANNER = "198.51.100.10", "198.51.100.53", "198.51.100.54", "198.51.100.20", "198.51.100.66"


def host_mac(name):
    return "02:00:00:00:01:%02x" % (0x0A + "ABCD".index(name))


class Run:
    """The frames of one run on the LAN and WAN ports, at times given in seconds from T0."""

    def __init__(self, name):
        self.name = name
        self.frames = {LAN: [], WAN: []}
        self.times = set()

    def at(self, seconds, port, frame, padded=True):
        t = T0_US + round(seconds * 1_000_000)
        assert t not in self.times, "two frames at %s s" % seconds
        self.times.add(t)
        # Ethernet pads frames to 60 bytes; the router must not forward the padding.
        self.frames[port].append((t, pad_frame(frame) if padded else bytes(frame)))

    def write(self, lan_file, wan_file):
        for port, file in ((LAN, lan_file), (WAN, wan_file)):
            frames = sorted(self.frames[port])
            write_pcap(os.path.join(TRACES, file), [(t * 1000, data) for t, data in frames])
        return len(self.frames[LAN]) + len(self.frames[WAN])


# ---------------------------------------------------------------- frames from the inside and the outside

def from_host(name, ip_layer):
    """A frame host name sends to the router (its default gateway)."""
    return Ether(src=host_mac(name), dst=ROUTER_LAN_MAC) / ip_layer


def from_gateway(ip_layer):
    """A frame the upstream gateway delivers to the router's WAN interface."""
    return Ether(src=GATEWAY_MAC, dst=ROUTER_WAN_MAC) / ip_layer


def arp_for_router(name):
    """Host name asks for its gateway's MAC (the router learns the host from it)."""
    return Ether(src=host_mac(name), dst=BCAST) / ARP(op=1, hwsrc=host_mac(name), psrc=HOSTS[name], pdst=ROUTER_LAN_IP)


def tcp_out(name, sport, dst, dport, flags, seq, ack=0, payload=b"", ttl=64, ip_id=1, options=None):
    seg = TCP(sport=sport, dport=dport, flags=flags, seq=seq, ack=ack, window=64240, options=options or [])
    return from_host(name, IP(src=HOSTS[name], dst=dst, ttl=ttl, id=ip_id) / seg / payload)


def tcp_in(src, sport, dport, flags, seq, ack=0, payload=b"", ttl=57, ip_id=1, dst=PUBLIC):
    seg = TCP(sport=sport, dport=dport, flags=flags, seq=seq, ack=ack, window=65160)
    return from_gateway(IP(src=src, dst=dst, ttl=ttl, id=ip_id) / seg / payload)


def udp_out(name, sport, dst, dport, payload, checksum=None, ip_id=1):
    return from_host(name, IP(src=HOSTS[name], dst=dst, id=ip_id) / UDP(sport=sport, dport=dport, chksum=checksum) / payload)


def udp_in(src, sport, dport, payload, checksum=None, ip_id=1, dst=PUBLIC):
    return from_gateway(IP(src=src, dst=dst, ttl=57, id=ip_id) / UDP(sport=sport, dport=dport, chksum=checksum) / payload)


def dns_query(qid):
    """A DNS query for example.com (A); the bytes only need to look like one."""
    return struct.pack(">HHHHHH", qid, 0x0100, 1, 0, 0, 0) + b"\x07example\x03com\x00\x00\x01\x00\x01"


def dns_answer(qid):
    return (struct.pack(">HHHHHH", qid, 0x8180, 1, 1, 0, 0) + b"\x07example\x03com\x00\x00\x01\x00\x01"
            + b"\xc0\x0c\x00\x01\x00\x01\x00\x00\x0e\x10\x00\x04" + bytes([93, 184, 216, 34]))


# ---------------------------------------------------------------- the functional trace

def basic():
    r = Run("basic")
    mss = [("MSS", 1460)]
    http_get = b"GET / HTTP/1.1\r\nHost: example.com\r\n\r\n"
    http_ok = b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok"

    # ARP: the inside hosts ask for their gateway (the router answers and learns them); the upstream
    # gateway asks for the WAN address; a request for another inside host is not the router's.
    for i, name in enumerate("ABC"):
        r.at(0.000 + i * 0.001, LAN, arp_for_router(name))
    r.at(0.003, WAN, Ether(src=GATEWAY_MAC, dst=BCAST) / ARP(op=1, hwsrc=GATEWAY_MAC, psrc=GATEWAY_IP, pdst=ROUTER_WAN_IP))
    r.at(0.004, LAN, Ether(src=host_mac("A"), dst=BCAST) / ARP(op=1, hwsrc=host_mac("A"), psrc=HOSTS["A"], pdst="192.168.1.99"))

    # TCP: A:40000 -> WEB:80 takes TCP port 1024; B's connection from the same private port takes 1025.
    r.at(0.010, LAN, tcp_out("A", 40000, WEB, 80, "S", 1000, options=mss, ip_id=11))
    r.at(0.011, WAN, tcp_in(WEB, 80, 1024, "SA", 5000, 1001, ip_id=21))
    r.at(0.012, LAN, tcp_out("A", 40000, WEB, 80, "A", 1001, 5001, ip_id=12))
    r.at(0.013, LAN, tcp_out("A", 40000, WEB, 80, "PA", 1001, 5001, http_get, ip_id=13))
    r.at(0.014, WAN, tcp_in(WEB, 80, 1024, "PA", 5001, 1001 + len(http_get), http_ok, ip_id=22))
    r.at(0.020, LAN, tcp_out("B", 40000, WEB, 80, "S", 7000, options=mss, ip_id=31))
    r.at(0.021, WAN, tcp_in(WEB, 80, 1025, "SA", 9000, 7001, ip_id=23))
    r.at(0.022, LAN, tcp_out("B", 40000, WEB, 80, "A", 7001, 9001, ip_id=32))

    # UDP: A's DNS query takes UDP port 1024; B's datagram without a checksum (0) takes 1025 and
    # leaves without one, and so does the answer coming back.
    r.at(0.030, LAN, udp_out("A", 5353, DNS, 53, dns_query(0x1111), ip_id=14))
    r.at(0.031, WAN, udp_in(DNS, 53, 1024, dns_answer(0x1111), ip_id=24))
    r.at(0.040, LAN, udp_out("B", 6000, PROBE, 9999, b"no checksum here", checksum=0, ip_id=33))
    r.at(0.041, WAN, udp_in(PROBE, 9999, 1025, b"none back either", checksum=0, ip_id=25))

    # ICMP echo: C and A both use query id 0x1234 to WEB: ids 1024 and 1025 outside.
    r.at(0.050, LAN, from_host("C", IP(src=HOSTS["C"], dst=WEB, id=41) / ICMP(type=8, id=0x1234, seq=1) / b"ping from C"))
    r.at(0.051, WAN, from_gateway(IP(src=WEB, dst=PUBLIC, ttl=57, id=26) / ICMP(type=0, id=1024, seq=1) / b"ping from C"))
    r.at(0.052, LAN, from_host("A", IP(src=HOSTS["A"], dst=WEB, id=15) / ICMP(type=8, id=0x1234, seq=1) / b"ping from A"))
    r.at(0.053, WAN, from_gateway(IP(src=WEB, dst=PUBLIC, ttl=57, id=27) / ICMP(type=0, id=1025, seq=1) / b"ping from A"))

    # Unsolicited inbound: no connection (dropped), including to ports in use by connections with
    # other remote endpoints; a ping of the public address (the router answers); a packet for a
    # private address and an echo reply nobody asked for (dropped).
    r.at(0.060, WAN, tcp_in(SCANNER, 5555, 22, "S", 1, ip_id=28))
    r.at(0.061, WAN, udp_in(SCANNER, 53, 1024, dns_answer(0x1111), ip_id=29))
    r.at(0.062, WAN, tcp_in(SCANNER, 80, 1025, "SA", 1, 7001, ip_id=30))
    r.at(0.063, WAN, from_gateway(IP(src=SCANNER, dst=PUBLIC, ttl=57, id=31) / ICMP(type=8, id=77, seq=1) / b"anyone there?"))
    r.at(0.064, WAN, from_gateway(IP(src=SCANNER, dst=HOSTS["A"], ttl=57, id=32) / TCP(sport=5555, dport=445, flags="S")))
    r.at(0.065, WAN, from_gateway(IP(src=SCANNER, dst=PUBLIC, ttl=57, id=33) / ICMP(type=0, id=4242, seq=9) / b"unasked"))

    # The router itself, from the inside: a ping of its LAN address (answered), TCP to the public
    # address (the router has no TCP service: dropped by icmp_gen, no hairpinning).
    r.at(0.070, LAN, from_host("A", IP(src=HOSTS["A"], dst=ROUTER_LAN_IP, id=16) / ICMP(type=8, id=5, seq=1) / b"gateway?"))
    r.at(0.071, LAN, tcp_out("A", 40001, PUBLIC, 80, "S", 1, ip_id=17))

    # Malformed and truncated: a runt, a bad IP checksum, a frame cut short of its IP length, a TCP
    # header cut by the IP length, a UDP length beyond the datagram, a fragment, GRE, an ICMP
    # timestamp request, TTL 1 (time exceeded to A), a TCP data offset past the end from outside,
    # IPv6 to the router's MAC, unicast to another MAC; then a datagram with IP options (translated).
    r.at(0.080, LAN, bytes(Ether(src=host_mac("A"), dst=ROUTER_LAN_MAC))[:10], padded=False)
    bad_sum = IP(bytes(IP(src=HOSTS["A"], dst=WEB, id=18) / UDP(sport=5353, dport=53) / b"x"))
    bad_sum.chksum ^= 0x0101
    r.at(0.081, LAN, from_host("A", bad_sum))
    r.at(0.082, LAN, bytes(from_host("A", IP(src=HOSTS["A"], dst=WEB, id=19) / UDP(sport=5353, dport=53) / bytes(40)))[:54], padded=False)
    cut_tcp = IP(src=HOSTS["A"], dst=WEB, id=20, len=30, proto=6) / Raw(bytes(TCP(sport=40000, dport=80))[:10])
    r.at(0.083, LAN, from_host("A", cut_tcp))
    long_udp = IP(src=HOSTS["A"], dst=DNS, id=21) / UDP(sport=5353, dport=53, len=100) / b"short"
    r.at(0.084, LAN, from_host("A", long_udp))
    r.at(0.085, LAN, from_host("A", IP(src=HOSTS["A"], dst=DNS, id=22, flags="MF") / UDP(sport=5353, dport=53) / bytes(24)))
    r.at(0.086, LAN, from_host("A", IP(src=HOSTS["A"], dst=WEB, id=23, proto=47) / bytes(8)))
    r.at(0.087, LAN, from_host("A", IP(src=HOSTS["A"], dst=WEB, id=24) / ICMP(type=13, id=1, seq=1, ts_ori=12345, ts_rx=0, ts_tx=0)))
    r.at(0.088, LAN, tcp_out("A", 40002, WEB, 80, "S", 1, ttl=1, ip_id=25))
    r.at(0.089, WAN, from_gateway(IP(src=WEB, dst=PUBLIC, ttl=57, id=34) / TCP(sport=80, dport=1024, flags="A", dataofs=15)))
    r.at(0.090, LAN, Ether(src=host_mac("A"), dst=ROUTER_LAN_MAC, type=0x86DD) / bytes(40))
    r.at(0.091, LAN, Ether(src=host_mac("A"), dst=host_mac("B")) / IP(src=HOSTS["A"], dst=HOSTS["B"]) / UDP(sport=1, dport=2))
    with_options = IP(src=HOSTS["A"], dst=DNS, id=26, options=IPOption(b"\x01\x01\x01\x00")) / UDP(sport=5353, dport=53) / dns_query(0x2222)
    r.at(0.092, LAN, from_host("A", with_options))

    # ICMP errors. A:7000 -> PROBE:7777 takes UDP port 1026; PROBE answers port unreachable quoting
    # the whole datagram as the NAT sent it; the gateway reports time exceeded quoting 8 bytes of
    # A's TCP segment; A reports port unreachable about a DNS answer it got (outbound error); an
    # error about a connection that does not exist is dropped.
    r.at(0.100, LAN, udp_out("A", 7000, PROBE, 7777, b"is 7777 open?", ip_id=27))
    sent = IP(src=PUBLIC, dst=PROBE, ttl=63, id=27) / UDP(sport=1026, dport=7777) / b"is 7777 open?"
    r.at(0.101, WAN, from_gateway(IP(src=PROBE, dst=PUBLIC, ttl=57, id=35) / ICMP(type=3, code=3) / bytes(sent)))
    sent_tcp = IP(src=PUBLIC, dst=WEB, ttl=1, id=13) / TCP(sport=1024, dport=80, flags="PA", seq=1001, ack=5001, window=64240) / http_get
    r.at(0.102, WAN, from_gateway(IP(src=GATEWAY_IP, dst=PUBLIC, ttl=64, id=36) / ICMP(type=11, code=0) / bytes(sent_tcp)[:28]))
    r.at(0.103, WAN, udp_in(DNS, 53, 1024, dns_answer(0x2222), ip_id=37))
    got = IP(src=DNS, dst=HOSTS["A"], ttl=56, id=37) / UDP(sport=53, dport=5353) / dns_answer(0x2222)
    r.at(0.104, LAN, from_host("A", IP(src=HOSTS["A"], dst=DNS, id=28) / ICMP(type=3, code=3) / bytes(got)[:28]))
    stray = IP(src=PUBLIC, dst=WEB, ttl=1, id=99) / TCP(sport=3333, dport=80, flags="S")
    r.at(0.105, WAN, from_gateway(IP(src=GATEWAY_IP, dst=PUBLIC, ttl=64, id=38) / ICMP(type=11, code=0) / bytes(stray)[:28]))

    # A reply whose TTL runs out at the router: time exceeded back to WEB from the public address.
    r.at(0.110, WAN, tcp_in(WEB, 80, 1024, "A", 5100, 1001 + len(http_get), ttl=1, ip_id=39))

    # TCP endings: A and WEB exchange FINs (A's connection becomes transitory); WEB resets B's.
    r.at(0.120, LAN, tcp_out("A", 40000, WEB, 80, "FA", 1001 + len(http_get), 5001 + len(http_ok), ip_id=29))
    r.at(0.121, WAN, tcp_in(WEB, 80, 1024, "FA", 5001 + len(http_ok), 1002 + len(http_get), ip_id=40))
    r.at(0.122, LAN, tcp_out("A", 40000, WEB, 80, "A", 1002 + len(http_get), 5002 + len(http_ok), ip_id=30))
    r.at(0.130, WAN, tcp_in(WEB, 80, 1025, "R", 9001, ip_id=41))

    # D never asked for the router's MAC: its datagram goes out (UDP port 1027), but the answer finds
    # no ARP entry for D: dropped, and the router asks for D; D's ARP reply teaches the router, and
    # the second answer gets through.
    r.at(0.140, LAN, udp_out("D", 4000, DNS, 53, dns_query(0x3333), ip_id=51))
    r.at(0.141, WAN, udp_in(DNS, 53, 1027, dns_answer(0x3333), ip_id=42))
    r.at(0.142, LAN, Ether(src=host_mac("D"), dst=ROUTER_LAN_MAC) / ARP(op=2, hwsrc=host_mac("D"), psrc=HOSTS["D"], hwdst=ROUTER_LAN_MAC, pdst=ROUTER_LAN_IP))
    r.at(0.143, WAN, udp_in(DNS, 53, 1027, dns_answer(0x3333), ip_id=43))

    # A spoofed source from the inside (an address the lookup routes to the outside): the datagram is
    # translated (UDP port 1028), but the reply translated back to it would leave through the WAN port,
    # and so would the router's answer to a ping from it: both dropped, nothing reflected or leaked.
    spoofed = "198.51.100.99"
    r.at(0.150, LAN, from_host("A", IP(src=spoofed, dst=DNS, id=52) / UDP(sport=9000, dport=53) / dns_query(0x5555)))
    r.at(0.151, WAN, udp_in(DNS, 53, 1028, dns_answer(0x5555), ip_id=53))
    r.at(0.152, LAN, from_host("A", IP(src=spoofed, dst=ROUTER_LAN_IP, id=54) / ICMP(type=8, id=6, seq=1) / b"from nowhere"))

    # Expiry. C opens TCP to WEB:443 (TCP port 1026), which is answered: established (2 h 4 min).
    r.at(20.000, LAN, tcp_out("C", 41000, WEB, 443, "S", 100, options=mss, ip_id=42))
    r.at(20.001, WAN, tcp_in(WEB, 443, 1026, "SA", 200, 101, ip_id=44))
    # 100 s: C's echo mapping (idle since 0.051 s) is past the 60 s ICMP timeout: the late reply is dropped.
    r.at(100.000, WAN, from_gateway(IP(src=WEB, dst=PUBLIC, ttl=57, id=45) / ICMP(type=0, id=1024, seq=2) / b"ping from C"))
    # 400 s: A's DNS connection (idle since 0.103 s, 5 min UDP timeout) and A's closed TCP connection
    # (4 min transitory) are gone: their late packets are dropped. C's is still there.
    r.at(400.000, WAN, udp_in(DNS, 53, 1024, dns_answer(0x2222), ip_id=46))
    r.at(400.001, WAN, tcp_in(WEB, 80, 1024, "A", 5002 + len(http_ok), 1002 + len(http_get), ip_id=47))
    r.at(400.002, WAN, tcp_in(WEB, 443, 1026, "PA", 201, 101, b"still here", ip_id=48))
    # A asks again: new connections, with the next ports (UDP 1029, TCP 1027), and they work.
    r.at(401.000, LAN, udp_out("A", 5353, DNS, 53, dns_query(0x4444), ip_id=61))
    r.at(401.001, WAN, udp_in(DNS, 53, 1029, dns_answer(0x4444), ip_id=49))
    r.at(401.002, LAN, tcp_out("A", 40000, WEB, 80, "S", 3000, options=mss, ip_id=62))
    r.at(401.003, WAN, tcp_in(WEB, 80, 1027, "SA", 6000, 3001, ip_id=50))
    return r.write("lan.pcap", "wan.pcap")


# ---------------------------------------------------------------- a port range running out

def exhaust():
    """exhaust.ctl: public ports 61000..61003 and a 30 s UDP timeout."""
    r = Run("exhaust")
    for i, name in enumerate("ABC"):
        r.at(0.000 + i * 0.001, LAN, arp_for_router(name))
    # Four connections to DNS:53 take the four ports; the next two find none (dropped, counted);
    # a connection to another server reuses 61000 (a port is only taken for one remote endpoint);
    # TCP has its own ports.
    flows = [("A", 1001), ("A", 1002), ("B", 1001), ("B", 1002), ("C", 1001), ("C", 1002)]
    for i, (name, sport) in enumerate(flows):
        r.at(1.000 + i * 0.001, LAN, udp_out(name, sport, DNS, 53, dns_query(0x100 + i), ip_id=100 + i))
    r.at(1.006, LAN, udp_out("C", 1003, DNS2, 53, dns_query(0x200), ip_id=110))
    r.at(1.007, LAN, tcp_out("A", 1001, DNS, 53, "S", 1, ip_id=111))
    for i in range(4):
        r.at(2.000 + i * 0.001, WAN, udp_in(DNS, 53, 61000 + i, dns_answer(0x100 + i), ip_id=200 + i))
    r.at(2.004, WAN, udp_in(DNS2, 53, 61000, dns_answer(0x200), ip_id=210))
    r.at(2.005, WAN, tcp_in(DNS, 53, 61000, "SA", 1, 2, ip_id=211))
    # 40 s: the UDP connections are past 30 s: C gets a port now (61001: round robin goes on from
    # where it was), and a late answer to the first connection is dropped.
    r.at(40.000, LAN, udp_out("C", 1001, DNS, 53, dns_query(0x300), ip_id=120))
    r.at(40.001, WAN, udp_in(DNS, 53, 61001, dns_answer(0x300), ip_id=220))
    r.at(40.002, WAN, udp_in(DNS, 53, 61000, dns_answer(0x100), ip_id=221))
    return r.write("exhaust_lan.pcap", "exhaust_wan.pcap")


# ---------------------------------------------------------------- a public address of its own

STATIC_PUBLIC, STATIC_PUBLIC_2 = "203.0.113.100", "203.0.113.101"


def static():
    """static.ctl: public address 203.0.113.100 (routed to the router by the gateway), changed to
    203.0.113.101 at 2 s. Inbound traffic now comes through ip_in's forwarding path."""
    r = Run("static")
    r.at(0.000, LAN, arp_for_router("A"))
    r.at(1.000, LAN, tcp_out("A", 40000, WEB, 80, "S", 1, ip_id=1))
    r.at(1.001, WAN, tcp_in(WEB, 80, 1024, "SA", 10, 2, ip_id=2, dst=STATIC_PUBLIC))
    # A ping of the public address: not one of the router's addresses, so nobody answers.
    r.at(1.002, WAN, from_gateway(IP(src=SCANNER, dst=STATIC_PUBLIC, ttl=57, id=3) / ICMP(type=8, id=1, seq=1)))
    # The WAN interface's own address is not the public one: not reachable from outside.
    r.at(1.003, WAN, from_gateway(IP(src=SCANNER, dst=ROUTER_WAN_IP, ttl=57, id=4) / ICMP(type=8, id=1, seq=1)))
    # TTL 1: ip_in sends it towards ICMP (time exceeded), the NAT still finds the connection first.
    r.at(1.004, WAN, tcp_in(WEB, 80, 1024, "A", 11, 2, ttl=1, ip_id=5, dst=STATIC_PUBLIC))
    r.at(1.005, LAN, udp_out("A", 5353, DNS, 53, dns_query(1), ip_id=6))
    r.at(1.006, WAN, udp_in(DNS, 53, 1024, dns_answer(1), ip_id=7, dst=STATIC_PUBLIC))
    # At 2 s the address changes (static.ctl): the connections are flushed; the old address is no
    # longer the router's business, and A's next segment opens a new connection (TCP port 1025).
    r.at(3.000, WAN, tcp_in(WEB, 80, 1024, "A", 11, 2, ip_id=8, dst=STATIC_PUBLIC))
    r.at(3.001, LAN, tcp_out("A", 40000, WEB, 80, "A", 2, 11, ip_id=9))
    r.at(3.002, WAN, tcp_in(WEB, 80, 1025, "A", 11, 2, ip_id=10, dst=STATIC_PUBLIC_2))
    return r.write("static_lan.pcap", "static_wan.pcap")


# ---------------------------------------------------------------- saturation

def sat64():
    """10,240 UDP frames of 60 captured bytes (64 on the wire) from 128 inside hosts, 8 flows each,
    to 16 servers; flows interleave at random (fixed seed), 1 us apart."""
    rng = random.Random(64)
    flows = []
    for h in range(128):
        for k in range(8):
            flows.append(("192.168.1.%d" % (20 + h), "02:00:00:00:02:%02x" % h, 10000 + k * 7 + h,
                          "198.51.100.%d" % (100 + (h * 8 + k) % 16), 53 + (k % 4) * 1000))
    frames = []
    for i in range(10_240):
        src, mac, sport, dst, dport = flows[i % 1024] if i < 1024 else rng.choice(flows)
        frame = Ether(src=mac, dst=ROUTER_LAN_MAC) / IP(src=src, dst=dst, id=i & 0xFFFF) / UDP(sport=sport, dport=dport) / bytes(18)
        data = bytes(frame)
        assert len(data) == 60
        frames.append(((T0_US + i) * 1000, data))
    write_pcap(os.path.join(TRACES, "sat64.pcap"), frames)
    return len(frames)


def main():
    os.makedirs(TRACES, exist_ok=True)
    print("basic: %d frames, exhaust: %d, static: %d, sat64: %d" % (basic(), exhaust(), static(), sat64()))


if __name__ == "__main__":
    main()
