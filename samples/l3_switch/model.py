#!/usr/bin/python3
"""An independent reference model of the L3 switch: writes expected/*.txt (format: ../README.md).

Written from the behaviour the sample documents and the RFCs it follows, not from the Baker code:

  L2        frames on a port without an interface are discarded (the port is not one of the bridge's);
            a frame addressed to the router's MAC on its input port is routed; ARP sent to that MAC or
            to the broadcast address goes to ARP; everything else is bridged. Frames shorter than an
            Ethernet header are dropped.
  bridge    IEEE 802.1D learning bridge (no spanning tree) over the ports with an interface: never
            relays the reserved group addresses 01-80-C2-00-00-00..0F (BPDUs, PAUSE, LLDP); learns
            unicast source MACs (aging 300 s), forwards a frame to the port its destination was learned
            on, drops it when that is its own input port, floods unknown unicast, broadcast and
            multicast destinations to every other interface port (in increasing port order).
  ARP       RFC 826 for Ethernet/IPv4. A request or reply whose target is the router's address on
            the input port records the sender (a learned entry never replaces a static one); a request
            is answered on the input port to the requester's hardware address (the reply is an
            Ethernet minimum frame: 60 bytes, zero padding). A broadcast for another address is bridged;
            anything else (malformed, unicast for another address, replies) is dropped.
  IPv4 in   RFC 1812 5.2.2: version 4, IHL >= 5, total length >= header, frame holds the total length,
            header checksum (RFC 1071); Ethernet padding beyond the total length is removed. To one of
            the router's addresses: local. Not forwarded: multicast/broadcast/class E destinations or
            sources, sources or destinations on 0/8 or 127/8 (RFC 1812 4.2.2.11, 4.2.3.1, 5.3.7: they
            must not appear outside a host), the broadcast address of a connected subnet as destination
            (directed broadcasts are not forwarded: RFC 2644's default) or as source (RFC 1812 5.3.7).
            TTL <= 1: time exceeded. IHL > 5: the option list must be well formed (RFC 791: EOL, NOP,
            then type-length-value that fits), else dropped; options are forwarded unchanged.
            TTL decremented with the RFC 1624 equation 3 checksum update.
  ICMP      datagrams to the router from a source that is not a unicast host (multicast, broadcast,
            class E, 0/8, 127/8, a connected subnet's broadcast) are discarded (RFC 1122 3.2.1.3).
            echo request (type 8 code 0, unfragmented, 8 bytes of ICMP at least) to any router address:
            answered in place (source = the address asked, destination = the requester, TTL 64, header
            checksum recomputed, ICMP type 0 with the RFC 1624 update of its checksum). Errors (RFC 792,
            RFC 1812 4.3.2): time exceeded (11/0) for the datagram as received, net unreachable (3/0)
            for the datagram as it stood at the lookup (TTL already decremented: RFC 1812 4.3.2.3 lets
            the router leave that modification); the IP header + 8 bytes quoted; IP id from a counter
            starting at 0, TTL 64, TOS 0, no flags; source = the router's address on the input port;
            never about an ICMP error (types 3, 4, 5, 11, 12), a non-first fragment, a packet the
            router made, or a source that is not a unicast host (RFC 1812 4.3.2.7).
  lookup    longest prefix match over the configured routes (a route for the same prefix replaces the
            earlier one); connected routes deliver to the destination itself. No route: net unreachable,
            or dropped for a packet the router made.
  encap     Ethernet header to the next hop's MAC (static or learned ARP entry) from the router's MAC on
            the output port, zero padding to 60 bytes. No entry: dropped, and an ARP request (broadcast,
            sender = the router's MAC/address on that port, 60 bytes) at most once per next hop per second.

Each input frame is processed to completion before the next one, in timestamp order (the reference order).

Runs (RUNS below): basic (the functional trace), basic_counters (the same with @end counter queries in
l3_switch_counters.ctl, which this script writes), sat64, and small runs that each isolate one point
where an RFC or IEEE 802.1D asks for something specific: arp42, martian, dbcast, reserved, noport (the
model follows the standard), asym (the model follows the app's documented choice, see RUNS).
"""
import os
import struct
import sys

from scapy.all import ARP, ICMP, IP, Ether, Raw, raw  # noqa: F401

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "lib"))
from sample_kit import (checksum_ok, checksum_update, inet_checksum, int_to_ip, ip_to_int,  # noqa: E402
                        pad_frame, read_control, read_frames, replay, write_expected)

EXPECTED = os.path.join(HERE, "expected")

BCAST_MAC = b"\xff" * 6
MAC_AGING_NS = 300 * 10**9
ARP_RETRY_NS = 10**9


# --------------------------------------------------------------------------------------------- helpers

def mac2bytes(s):
    return bytes(int(x, 16) for x in s.split(":"))


def is_martian_unicast_host(a):
    """Not a unicast host address: multicast, broadcast, class E (>= 224.0.0.0)."""
    return a >= 0xE0000000


# --------------------------------------------------------------------------------------------- the model

class Router:
    def __init__(self):
        self.ifaces = {}              # port -> (ip, plen, mac bytes)
        self.routes = {}              # (prefix, len) -> (hop, port); a later route replaces an equal one
        self.route_adds = 0
        self.neighbors = {}           # ip -> (mac bytes, static)
        self.asked = {}               # next hop -> time of the last ARP request (ns)
        self.macs = {}                # mac bytes -> (port, seen ns)
        self.icmp_id = 0
        self.now = 0
        self.out = {}                 # port -> [bytes]
        self.dropped = 0
        self.c = {k: [0] * n for k, n in
                  [("l2", 4), ("bridge", 4), ("arp", 5), ("ip_in", 8), ("options", 2), ("icmp", 5), ("lookup", 3),
                   ("encap", 3)]}

    # -- configuration
    def control(self, name, args):
        if name == "l2.set_interface":
            port, ip, plen, mac = args
            self.ifaces[port] = (ip, plen, mac.to_bytes(6, "big"))
        elif name == "router.lpm.add_route":
            prefix, plen, hop, port = args
            mask = (0xFFFFFFFF << (32 - plen)) & 0xFFFFFFFF if plen else 0
            self.routes[(prefix & mask, plen)] = (hop, port)
            self.route_adds += 1
        elif name == "arp.add_neighbor":
            ip, mac = args
            self.neighbors[ip] = (mac.to_bytes(6, "big"), True)
        elif name in ("router.lpm.fib_hold", "router.lpm.fib_commit"):
            pass
        else:
            raise ValueError("unmodelled control call " + name)

    def query(self, name, args):
        counter = {"l2.l2_count": "l2", "bridge.bridge_count": "bridge", "arp.arp_count": "arp",
                   "router.ip_in.ip_in_count": "ip_in", "router.options.options_count": "options",
                   "router.icmp.icmp_count": "icmp", "router.lpm.lookup_count": "lookup",
                   "router.encap.encap_count": "encap"}
        if name in counter:
            c = self.c[counter[name]]
            return c[args[0]] if args[0] < len(c) else 0
        if name == "arp.neighbors_known":
            return len(self.neighbors)
        if name == "arp.neighbor_mac":
            n = self.neighbors.get(args[0])
            return int.from_bytes(n[0], "big") if n else 0
        if name == "arp.neighbor_table_full":
            return 0
        if name == "bridge.mac_port":
            m = self.macs.get(args[0].to_bytes(6, "big"))
            return m[0] if m and self.now - m[1] < MAC_AGING_NS else 255
        if name == "router.lpm.route_nexthop":
            r = self.lookup(args[0])
            return 0xFFFFFFFF if r is None else (r[0] or args[0])
        if name == "router.lpm.route_port":
            r = self.lookup(args[0])
            return 255 if r is None else r[1]
        if name == "router.lpm.route_count":
            return self.route_adds
        if name == "router.lpm.route_failures":
            return 0
        raise ValueError("unmodelled query " + name)

    # -- helpers
    def emit(self, port, frame):
        self.out.setdefault(port, []).append(bytes(frame))

    def drop(self):
        self.dropped += 1

    def local_addresses(self):
        return {ip for ip, _, _ in self.ifaces.values()}

    def lookup(self, addr):
        for plen in range(32, -1, -1):
            mask = (0xFFFFFFFF << (32 - plen)) & 0xFFFFFFFF if plen else 0
            r = self.routes.get((addr & mask, plen))
            if r is not None:
                return r
        return None

    # -- receive
    def receive(self, port, frame, t):
        self.now = t
        if port not in self.ifaces:
            return self.drop()                    # no interface: neither routed nor one of the bridge's ports
        if len(frame) < 14:
            self.c["l2"][3] += 1
            return self.drop()
        dst, etype = frame[0:6], struct.unpack("!H", frame[12:14])[0]
        mine = port in self.ifaces and dst == self.ifaces[port][2]
        if etype == 0x0806 and (mine or dst == BCAST_MAC):
            self.c["l2"][1] += 1
            return self.arp(port, frame)
        if mine:
            self.c["l2"][0] += 1
            return self.ip_input(port, frame)
        self.c["l2"][2] += 1
        return self.bridge(port, frame)

    # -- IEEE 802.1D learning bridge
    def bridge(self, port, frame):
        dst, src = frame[0:6], frame[6:12]
        if dst[:5] == b"\x01\x80\xc2\x00\x00" and dst[5] < 0x10:
            self.c["bridge"][2] += 1
            return self.drop()                    # IEEE 802.1D reserved group address: never relayed
        if not src[0] & 1:
            self.macs[src] = (port, self.now)
        if not dst[0] & 1:
            m = self.macs.get(dst)
            if m is not None and self.now - m[1] < MAC_AGING_NS:
                if m[0] == port:
                    self.c["bridge"][2] += 1
                    return self.drop()
                self.c["bridge"][0] += 1
                return self.emit(m[0], frame)
        targets = [p for p in sorted(self.ifaces) if p != port]
        if not targets:
            self.c["bridge"][3] += 1
            return self.drop()
        self.c["bridge"][1] += 1
        for p in targets:
            self.emit(p, frame)

    # -- RFC 826
    def arp(self, port, frame):
        if len(frame) < 42:
            self.c["arp"][3] += 1
            return self.drop()
        a = ARP(frame[14:42])
        if a.hwtype != 1 or a.ptype != 0x0800 or a.hwlen != 6 or a.plen != 4:
            self.c["arp"][3] += 1
            return self.drop()
        spa, tpa = ip_to_int(a.psrc), ip_to_int(a.pdst)
        sha = mac2bytes(a.hwsrc)
        if port not in self.ifaces or tpa != self.ifaces[port][0]:
            if frame[0:6] == BCAST_MAC:
                self.c["arp"][2] += 1
                return self.bridge(port, frame)
            self.c["arp"][4] += 1
            return self.drop()
        # Merge: record the sender (never over a static entry).
        old = self.neighbors.get(spa)
        if old is None or not old[1]:
            self.neighbors[spa] = (sha, False)
        self.c["arp"][1] += 1
        if a.op != 1:
            self.c["arp"][4] += 1
            return self.drop()
        ip, _, mac = self.ifaces[port]
        reply = raw(Ether(dst=sha, src=mac, type=0x0806) /
                    ARP(hwtype=1, ptype=0x0800, hwlen=6, plen=4, op=2, hwsrc=mac, psrc=int_to_ip(ip), hwdst=sha,
                        pdst=int_to_ip(spa)))
        self.c["arp"][0] += 1
        self.emit(port, pad_frame(reply))

    # -- RFC 1812 input
    def ip_input(self, port, frame):
        if etype_of(frame) != 0x0800:
            self.c["ip_in"][4] += 1
            return self.drop()
        pkt = frame[14:]
        if len(pkt) < 20:
            self.c["ip_in"][6] += 1
            return self.drop()
        ver, ihl = pkt[0] >> 4, pkt[0] & 15
        total = struct.unpack("!H", pkt[2:4])[0]
        if ver != 4 or ihl < 5 or total < ihl * 4:
            self.c["ip_in"][5] += 1
            return self.drop()
        if len(pkt) < total:
            self.c["ip_in"][6] += 1
            return self.drop()
        if not checksum_ok(pkt[:ihl * 4]):
            self.c["ip_in"][5] += 1
            return self.drop()
        pkt = bytearray(pkt[:total])              # Ethernet padding is not part of the datagram
        src, dst = struct.unpack("!II", pkt[12:20])
        if dst in self.local_addresses():
            self.c["ip_in"][2] += 1
            return self.local(port, pkt)
        if (is_martian_unicast_host(dst) or is_martian_unicast_host(src) or src >> 24 in (0, 127)
                or dst >> 24 in (0, 127) or directed_broadcast(self, dst) or directed_broadcast(self, src)):
            self.c["ip_in"][7] += 1
            return self.drop()
        if pkt[8] <= 1:
            self.c["ip_in"][3] += 1
            return self.icmp_error(11, port, pkt)
        if ihl > 5:
            self.c["ip_in"][1] += 1
            if not options_well_formed(pkt[20:ihl * 4]):
                self.c["options"][1] += 1
                return self.drop()
            self.c["options"][0] += 1
        else:
            self.c["ip_in"][0] += 1
        old = (pkt[8] << 8) | pkt[9]
        pkt[8] -= 1
        pkt[10:12] = struct.pack("!H", checksum_update(struct.unpack("!H", pkt[10:12])[0], old, (pkt[8] << 8) | pkt[9]))
        return self.forward(port, pkt, generated=False)

    # -- to the router: echo requests are answered (RFC 792, RFC 1122 3.2.2.6)
    def local(self, port, pkt):
        ihl = (pkt[0] & 15) * 4
        src = struct.unpack("!I", pkt[12:16])[0]
        if is_martian_unicast_host(src) or src >> 24 in (0, 127) or directed_broadcast(self, src):
            self.c["icmp"][3] += 1
            return self.drop()                    # RFC 1122 3.2.1.3: an invalid source is discarded
        flags_frag = struct.unpack("!H", pkt[6:8])[0]
        if pkt[9] != 1 or flags_frag & 0x3FFF or len(pkt) < ihl + 8 or pkt[ihl] != 8 or pkt[ihl + 1] != 0:
            self.c["icmp"][3] += 1
            return self.drop()
        src, dst = pkt[12:16], pkt[16:20]
        pkt[12:16], pkt[16:20] = dst, src
        pkt[8] = 64
        pkt[10:12] = b"\0\0"
        pkt[10:12] = struct.pack("!H", inet_checksum(bytes(pkt[:ihl])))
        pkt[ihl] = 0
        pkt[ihl + 2:ihl + 4] = struct.pack("!H", checksum_update(struct.unpack("!H", pkt[ihl + 2:ihl + 4])[0], 0x0800, 0x0000))
        self.c["icmp"][0] += 1
        return self.forward(port, pkt, generated=True)

    # -- RFC 792 / RFC 1812 4.3.2 errors
    def icmp_error(self, icmp_type, port, pkt):
        ihl = (pkt[0] & 15) * 4
        src = struct.unpack("!I", pkt[12:16])[0]
        frag = struct.unpack("!H", pkt[6:8])[0] & 0x1FFF
        about_error = pkt[9] == 1 and len(pkt) > ihl and pkt[ihl] in (3, 4, 5, 11, 12)
        if (port not in self.ifaces or about_error or frag != 0 or is_martian_unicast_host(src) or src == 0):
            self.c["icmp"][4] += 1
            return self.drop()
        quoted = bytes(pkt[:ihl + 8])
        e = IP(version=4, ihl=5, tos=0, id=self.icmp_id, flags=0, frag=0, ttl=64, proto=1,
               src=int_to_ip(self.ifaces[port][0]), dst=int_to_ip(src)) / ICMP(type=icmp_type, code=0) / Raw(quoted)
        self.icmp_id = (self.icmp_id + 1) & 0xFFFF
        self.c["icmp"][1 if icmp_type == 11 else 2] += 1
        self.drop()                               # the offending datagram
        return self.forward(port, bytearray(raw(e)), generated=True)

    # -- lookup + Ethernet encapsulation
    def forward(self, in_port, pkt, generated):
        dst = struct.unpack("!I", pkt[16:20])[0]
        r = self.lookup(dst)
        if r is None:
            if generated:
                self.c["lookup"][2] += 1
                return self.drop()
            self.c["lookup"][1] += 1
            return self.icmp_error(3, in_port, pkt)
        self.c["lookup"][0] += 1
        hop, out_port = r
        hop = hop or dst
        n = self.neighbors.get(hop)
        if n is None or out_port not in self.ifaces:
            self.c["encap"][1] += 1
            if out_port in self.ifaces:
                self.arp_request(hop, out_port)
            return self.drop()
        frame = raw(Ether(dst=n[0], src=self.ifaces[out_port][2], type=0x0800)) + bytes(pkt)
        self.c["encap"][0] += 1
        self.emit(out_port, pad_frame(frame))

    def arp_request(self, hop, port):
        last = self.asked.get(hop)
        if last is not None and self.now - last < ARP_RETRY_NS:
            return
        self.asked[hop] = self.now
        ip, _, mac = self.ifaces[port]
        req = raw(Ether(dst=BCAST_MAC, src=mac, type=0x0806) /
                  ARP(hwtype=1, ptype=0x0800, hwlen=6, plen=4, op=1, hwsrc=mac, psrc=int_to_ip(ip),
                      hwdst="00:00:00:00:00:00", pdst=int_to_ip(hop)))
        self.c["encap"][2] += 1
        self.emit(port, pad_frame(req))


def etype_of(frame):
    return struct.unpack("!H", frame[12:14])[0]


def options_well_formed(opts):
    """RFC 791 3.1: an option is a single octet (0 end of list, 1 no-operation) or type, length
    (counting type and length octets, so at least 2), data; every option must fit in the header."""
    i = 0
    while i < len(opts):
        kind = opts[i]
        if kind == 0:
            return True
        if kind == 1:
            i += 1
            continue
        if i + 1 >= len(opts) or opts[i + 1] < 2 or i + opts[i + 1] > len(opts):
            return False
        i += opts[i + 1]
    return True


# --------------------------------------------------------------------------------------------- runs

def simulate(traces, control):
    r = Router()
    frames = read_frames(HERE, traces)
    times = [f[0] for f in frames]
    if len(set(times)) != len(times):
        raise ValueError("timestamps must differ across the traces of a run")
    log = []
    for t, call, frame in replay(read_control(os.path.join(HERE, control), timed=False), frames):
        if frame is not None:
            r.receive(frame[1], frame[2], t)
        elif call.when == "start":
            r.control(call.name, call.args)
        else:
            log.append((call.text, r.query(call.name, call.args)))
    return r, log, len(frames)


COUNTER_QUERIES = (
    ["l2.l2_count(%d)" % i for i in range(4)] + ["bridge.bridge_count(%d)" % i for i in range(4)]
    + ["arp.arp_count(%d)" % i for i in range(5)] + ["arp.neighbors_known()"]
    + ["arp.neighbor_mac(%s)" % a for a in ["10.255.2.20", "10.255.1.50", "10.255.1.2", "10.255.3.50", "10.255.0.77",
                                            "10.255.3.44", "10.255.2.21"]]
    + ["router.ip_in.ip_in_count(%d)" % i for i in range(8)] + ["router.options.options_count(%d)" % i for i in range(2)]
    + ["router.icmp.icmp_count(%d)" % i for i in range(5)] + ["router.lpm.lookup_count(%d)" % i for i in range(3)]
    + ["router.encap.encap_count(%d)" % i for i in range(3)]
    + ["bridge.mac_port(%s)" % m for m in ["02:aa:00:00:01:a1", "02:aa:00:00:03:b3", "02:aa:00:00:01:c1",
                                           "02:aa:00:00:02:21", "02:aa:00:00:00:30", "03:00:00:00:00:01",
                                           "02:aa:00:00:02:20"]]
    + ["router.lpm.route_count()", "router.lpm.route_failures()"]
    + ["router.lpm.route_nexthop(%s)" % a for a in ["10.1.200.200", "10.1.200.201", "8.8.8.8", "10.255.2.77"]]
    + ["router.lpm.route_port(%s)" % a for a in ["10.1.200.200", "192.168.1.77", "8.8.8.8", "10.255.2.77"]]
)

BASIC = [(0, "traces/basic_p0.pcap"), (1, "traces/basic_p1.pcap"), (2, "traces/basic_p2.pcap"),
         (3, "traces/basic_p3.pcap")]

RUNS = [
    ("basic", BASIC, "l3_switch.ctl", False,
     "The functional trace (gen_traces.py, section by section): routing over every route and boundary of\n"
     "routes.txt, TTL, echo, ICMP errors, options, malformed headers, padding, ARP, bridging, aging."),
    ("basic_counters", BASIC, "l3_switch_counters.ctl", True,
     "The functional trace again, with the counters and tables read at the end (l3_switch_counters.ctl)."),
    ("sat64", [(0, "traces/sat64.pcap")], "l3_switch.ctl", False,
     "10,000 routed 64-byte UDP frames on port 0 (the saturation trace)."),
    ("arp42", [(2, "traces/arp42_p2.pcap")], "l3_switch.ctl", False,
     "An ARP request for the router in an unpadded 42-byte frame: the reply the router makes is an\n"
     "Ethernet frame of its own and must have the 60-byte minimum (IEEE 802.3; the encapsulation pads\n"
     "everything else it sends)."),
    ("martian", [(0, "traces/martian_p0.pcap"), (1, "traces/martian_p1.pcap")], "l3_switch.ctl", False,
     "Transit datagrams to 127/8 and 0/8 (RFC 1812 5.3.7 and 4.2.3.1: never forwarded; no route holds them\n"
     "here, but they are discarded as martians, not answered with net unreachable), and echo requests to\n"
     "the router from 224.1.1.1, 255.255.255.255, 240.1.1.1, 127.0.0.1, 0.0.0.7 (RFC 1122 3.2.1.3: a\n"
     "datagram with such a source is silently discarded, so no echo reply)."),
    ("dbcast", [(0, "traces/dbcast_p0.pcap"), (2, "traces/dbcast_p2.pcap")], "l3_switch.ctl", False,
     "Directed broadcasts of connected subnets: to 10.255.1.255 and 10.255.3.255 (RFC 1812 5.3.5.2 sends\n"
     "them as link-layer broadcasts when directed-broadcast forwarding is on; RFC 2644 makes 'off' the\n"
     "default: discarded, which the model does), and from 10.255.2.255 (RFC 1812 5.3.7: not a valid source,\n"
     "not forwarded; RFC 1812 4.3.2.7: no ICMP error to it)."),
    ("reserved", [(1, "traces/reserved_p1.pcap")], "l3_switch.ctl", False,
     "Frames to IEEE 802.1D's reserved group addresses (a BPDU, a PAUSE frame, an LLDP frame): a bridge\n"
     "never relays them (802.1D-2004 7.12.6), so nothing is sent."),
    ("noport", [(1, "traces/noport_p1.pcap"), (5, "traces/noport_p5.pcap")], "l3_switch.ctl", False,
     "Frames received on port 5, which has no interface: the bridge spans the ports with an interface,\n"
     "so the model neither floods them nor forwards to a MAC address seen only there."),
    ("asym", [(1, "traces/asym_p1.pcap")], "l3_switch.ctl", False,
     "ICMP errors for datagrams received on port 1 whose sources are routed out of ports 2 and 3: the\n"
     "source address is the router's address on the input port (the documented choice; RFC 1812\n"
     "4.3.2.4 asks for an address of the interface the error leaves by)."),
]


def directed_broadcast(router, dst):
    for ip, plen, _ in router.ifaces.values():
        host = (1 << (32 - plen)) - 1
        if plen < 31 and dst & ~host & 0xFFFFFFFF == ip & ~host & 0xFFFFFFFF and dst & host == host:
            return True
    return False


def write_counters_ctl():
    with open(os.path.join(HERE, "l3_switch.ctl")) as f:
        base = f.read()
    text = (base.rstrip("\n") + "\n# Read back by expected/basic_counters.txt (written by model.py): counters and tables at the end.\n"
            + "".join("@end %s\n" % q for q in COUNTER_QUERIES))
    with open(os.path.join(HERE, "l3_switch_counters.ctl"), "w") as f:
        f.write(text)


def main():
    write_counters_ctl()
    only = set(sys.argv[1:])
    for name, traces, control, with_log, about in RUNS:
        if only and name not in only:
            continue
        r, log, n = simulate(traces, control)
        comments = ["Written by model.py (the independent model), never by the interpreter.", *about.split("\n"),
                    "%d frames in, %d out, %d dropped." % (n, sum(len(v) for v in r.out.values()), r.dropped)]
        outputs = [(port, f) for port in sorted(r.out) for f in r.out[port]]
        write_expected(os.path.join(EXPECTED, name + ".txt"), comments, traces, control, outputs, r.dropped,
                       log if with_log else ())
        print("%s: %d in, %d out, %d dropped" % (name, n, sum(len(v) for v in r.out.values()), r.dropped))


if __name__ == "__main__":
    main()
