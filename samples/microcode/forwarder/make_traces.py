#!/usr/bin/python3
"""Independent oracle for the IPv4 forwarder sample (ipv4_forwarder.uasm).

Makes the input traces (in_port0..2.pcap) and, with scapy's own IPv4 code, the frames the forwarder
must transmit on each port (expected_port0..2.pcap) and its drop counts (expected_counters.txt).
Run with Debian's python3-scapy:  /usr/bin/python3 make_traces.py   (from this directory).
The generated files are committed so the tests need no Python.

Forwarding rules (the specification both sides implement):
- EtherType 0x0800 with version 4 and IHL 5, else drop 'unsupported'.
- header checksum must verify, else drop 'bad_checksum'.
- TTL <= 1: drop 'ttl_exceeded'.
- route on the first octet of the destination (table ROUTES), else drop 'no_route'.
- forward: TTL - 1, checksum recomputed, destination MAC = next hop of the port, source MAC = the port's.
"""
import random
from scapy.all import Ether, IP, UDP, TCP, ICMP, ARP, Raw, Padding, wrpcap
from scapy.layers.inet import IPOption_NOP

ROUTES = {10: 0, 20: 1, 30: 2, 192: 1, 172: 0}
NEXT_HOP = {p: "02:00:00:00:0%d:01" % p for p in range(3)}
PORT_MAC = {p: "02:00:00:00:00:%d0" % p for p in range(3)}

rng = random.Random(2400)


def pad(frame):
    raw = bytes(frame)
    if len(raw) < 60:
        raw += b"\x00" * (60 - len(raw))
    return raw


def make_frame(port, i):
    kind = rng.choice(["ok"] * 12 + ["ttl1", "ttl0", "badsum", "arp", "options", "noroute"])
    size = rng.choice([0, 0, 18, 100, 400, 1000, 1458])
    payload = bytes(rng.randrange(256) for _ in range(size))
    first = rng.choice(list(ROUTES)) if kind != "noroute" else rng.choice([1, 99, 200, 11])
    dst = "%d.%d.%d.%d" % (first, rng.randrange(256), rng.randrange(256), rng.randrange(1, 255))
    src = "192.168.%d.%d" % (port, rng.randrange(1, 255))
    eth = Ether(dst=PORT_MAC[port], src="02:aa:00:00:%02x:%02x" % (port, i % 256))
    if kind == "arp":
        return pad(eth / ARP(pdst=dst, psrc=src))
    ttl = {"ttl1": 1, "ttl0": 0}.get(kind, rng.randrange(2, 255))
    l4 = rng.choice([UDP(sport=rng.randrange(1024, 65535), dport=53), TCP(sport=rng.randrange(1024, 65535), dport=80, flags="S"), ICMP()])
    ip = IP(src=src, dst=dst, ttl=ttl, id=rng.randrange(65536))
    if kind == "options":
        ip.options = [IPOption_NOP()] * 4
    raw = bytearray(pad(eth / ip / l4 / Raw(payload)))
    if kind == "badsum":
        raw[24] ^= 0x5a
    return bytes(raw)


def forward(raw):
    """Returns (port, frame) or (None, reason)."""
    eth = Ether(raw)
    if eth.type != 0x0800 or not isinstance(eth.payload, IP) or eth[IP].version != 4 or eth[IP].ihl != 5:
        return None, "unsupported"
    ip = eth[IP]
    header = raw[14:34]
    given = ip.chksum
    fresh = IP(header)
    del fresh.chksum
    if IP(bytes(fresh))[IP].chksum != given:
        return None, "bad_checksum"
    if ip.ttl <= 1:
        return None, "ttl_exceeded"
    first = int(ip.dst.split(".")[0])
    if first not in ROUTES:
        return None, "no_route"
    port = ROUTES[first]
    out = bytearray(raw)
    hdr = IP(raw[14:34])
    hdr.ttl -= 1
    del hdr.chksum
    out[14:34] = bytes(hdr)[:20]
    out[0:6] = bytes.fromhex(NEXT_HOP[port].replace(":", ""))
    out[6:12] = bytes.fromhex(PORT_MAC[port].replace(":", ""))
    return port, bytes(out)


def main():
    expected = {0: [], 1: [], 2: []}
    counters = {"forwarded": 0, "unsupported": 0, "bad_checksum": 0, "ttl_exceeded": 0, "no_route": 0}
    for port in range(3):
        frames = [make_frame(port, i) for i in range(120)]
        wrpcap("in_port%d.pcap" % port, [Ether(f) for f in frames])
        for f in frames:
            out, what = forward(f)
            if out is None:
                counters[what] += 1
            else:
                counters["forwarded"] += 1
                expected[out].append(what)
    for port in range(3):
        wrpcap("expected_port%d.pcap" % port, [Ether(f) for f in expected[port]])
    with open("expected_counters.txt", "w") as fh:
        for k in sorted(counters):
            fh.write("%s %d\n" % (k, counters[k]))


if __name__ == "__main__":
    main()
