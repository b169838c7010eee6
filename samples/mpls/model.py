#!/usr/bin/python3
"""An independent reference model of the MPLS sample: writes expected/<run>.txt (format in
../README.md) for the crafted traces and for the real captures run with capture.ctl.

It reads the configuration from the .ctl files with regular expressions and processes the frames
one by one in timestamp order, as the router specified in README.md does (the lib modules' rules
for ARP, IPv4 input, ICMP, the route lookup and Ethernet encapsulation included); it shares no
code with the Baker program. Each run's @end control calls are answered from the model's own
counters, so the expected files also pin down why every packet that was not sent was dropped.

Run: /usr/bin/python3 model.py   (after gen_traces.py)
"""
import os
import struct
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "lib"))
sys.path.insert(0, HERE)
import gen_traces  # noqa: E402  (for the scenario list and the port each scenario arrives on)
from sample_kit import (checksum_ok, checksum_update, hash32, inet_checksum, pad_frame, read_control,  # noqa: E402
                        read_frames, replay, set_ipv4_checksum, write_expected)

CAPTURES = "../../../shared/data/pcaps"      # the project's shared real captures, from this folder
CAPTURE_RUNS = [                             # (expected file, capture, port) run with capture.ctl
    ("capture_libtrace_mpls", "libtrace-mpls.pcap", 0),
    ("capture_libtrace_10_mpls_ip", "libtrace-10_mpls_ip.pcap", 1),
    ("capture_dhcp", "tcpdump-dhcp-rfc4388.pcap", 2),
    ("capture_mpls_over_udp", "tcpdump-mpls-over-udp.pcap", 3),
]

ETH_IPV4, ETH_ARP, ETH_MPLS = 0x0800, 0x0806, 0x8847
BROADCAST = 0xFFFFFFFFFFFF
MAX_PORTS = 16
ILM_LABELS = 65536
MAX_POPS = 8
ARP_RETRY_NS = 1_000_000_000

# Why a packet goes to the ICMP generator (the lib's icmp_kind).
TRANSIT, LOCAL, TIME_EXCEEDED, UNREACHABLE, GENERATED = range(5)


class Dropped(Exception):
    """A packet the router drops; the counter it is counted in was incremented before raising."""


# ---- checksums and small helpers ----------------------------------------------------------------

def ip_header_ok(ip):
    return checksum_ok(ip[:(ip[0] & 0xF) * 4])


def set_ip_ttl(ip, ttl):
    """ip with its TTL replaced and the header checksum updated for the change (a bad one stays bad)."""
    old_word = (ip[8] << 8) | ip[9]
    check = (ip[10] << 8) | ip[11]
    new_check = checksum_update(check, old_word, (ttl << 8) | ip[9])
    return ip[:8] + bytes([ttl]) + ip[9:10] + struct.pack("!H", new_check) + ip[12:]


def with_new_checksum(ip):
    return bytes(set_ipv4_checksum(bytearray(ip)))


def mac_bytes(mac):
    return mac.to_bytes(6, "big")


def entry(label, tc, s, ttl):
    return struct.pack("!I", (label << 12) | (tc << 9) | (s << 8) | ttl)


def parse_entry(data, off):
    word = struct.unpack("!I", data[off:off + 4])[0]
    return word >> 12, (word >> 9) & 7, (word >> 8) & 1, word & 0xFF


def ip_u32(b):
    return struct.unpack("!I", b)[0]


def group_or_broadcast(addr):
    return addr >= 0xE0000000


def martian(addr):
    """RFC 1812 5.3.7: never forwarded from or to 0/8, 127/8, multicast, class E or broadcast."""
    return addr >> 24 in (0, 127) or group_or_broadcast(addr)


# ---- the router ----------------------------------------------------------------------------------

class Router:
    def __init__(self):
        self.iface = {}                  # port -> (ip, plen, mac)
        self.neighbors = {}              # ip -> (mac, static)
        self.routes = {}                 # (prefix, len) -> (next hop, port)
        self.route_adds = 0
        self.ilm = {}                    # label -> (op, labels outermost first, port, next hop)
        self.ilm_refused = 0
        self.ftn = {}                    # (prefix, len) -> (labels outermost first, port, next hop)
        self.ftn_refused = 0
        self.pending = {}                # ARP requests sent: hash slot -> (next hop, time)
        self.icmp_id = 0
        self.outputs = []                # (port, frame bytes)
        self.dropped = 0
        self.c = {k: [0] * n for k, n in
                  dict(l2=4, arp=5, discard=2, dispatch=3, ilm=11, ip_in=8, options=2, icmp=5,
                       ftn=2, lpm=3, encap=3).items()}

    def count(self, block, which):
        self.c[block][which] += 1

    def drop(self, block, which):
        self.count(block, which)
        raise Dropped()

    # -- configuration --

    def configure(self, inst, func, a):
        if func == "set_interface":
            if a[0] < MAX_PORTS:
                self.iface[a[0]] = (a[1], a[2], a[3])
        elif func == "add_neighbor":
            self.neighbors[a[0]] = (a[1], True)
        elif func == "add_route":
            prefix, plen, hop, port = a
            self.routes[(prefix & self.mask(plen), plen)] = (hop, port)
            self.route_adds += 1
        elif inst == "lsr.ilm":
            self.bind_label(func, a)
        elif inst == "lsr.ftn":
            self.bind_fec(func, a)
        else:
            raise ValueError("the model does not know %s.%s" % (inst, func))

    @staticmethod
    def mask(plen):
        return (0xFFFFFFFF << (32 - plen)) & 0xFFFFFFFF if plen else 0

    @staticmethod
    def sendable(label):
        return label == 0 or 16 <= label < (1 << 20)

    def bind_label(self, func, a):
        if func == "remove":
            self.ilm.pop(a[0], None)
            return
        label = a[0]
        if func.startswith("swap"):
            depth = int(func[4:] or 1)
            labels, port, hop = a[1:1 + depth], a[1 + depth], a[2 + depth]
            op = "swap"
        elif func == "pop":
            labels, port, hop, op = [], a[1], a[2], "pop"
        elif func == "pop_lookup":
            labels, port, hop, op = [], 0, 0, "pop_lookup"
        else:
            raise ValueError("no ILM function " + func)
        if label < 16 or label >= ILM_LABELS or not all(map(self.sendable, labels)) or port >= MAX_PORTS:
            self.ilm_refused += 1
            return
        self.ilm[label] = (op, labels, port, hop)

    def bind_fec(self, func, a):
        if func == "remove":
            self.ftn.pop((a[0] & self.mask(a[1]), a[1]), None)
            return
        depth = int(func[4:] or 1)
        prefix, plen = a[0], a[1]
        labels, port, hop = a[2:2 + depth], a[2 + depth], a[3 + depth]
        if plen > 32 or not all(map(self.sendable, labels)) or port >= MAX_PORTS:
            self.ftn_refused += 1
            return
        self.ftn[(prefix & self.mask(plen), plen)] = (labels, port, hop)

    def query(self, inst, func, a):
        """The value an @end control call returns."""
        simple = {"labels_bound": lambda: len(self.ilm), "fecs_bound": lambda: len(self.ftn),
                  "route_count": lambda: self.route_adds}
        if func in simple:
            return simple[func]()
        if func == "config_errors":
            return self.ilm_refused if inst == "lsr.ilm" else self.ftn_refused
        block = {"l2_count": "l2", "arp_count": "arp", "not_routed_count": "discard",
                 "dispatch_count": "dispatch", "label_count": "ilm", "ip_in_count": "ip_in",
                 "options_count": "options", "icmp_count": "icmp", "fec_count": "ftn",
                 "lookup_count": "lpm", "encap_count": "encap"}[func]
        counters = self.c[block]
        return counters[a[0]] if a[0] < len(counters) else 0

    # -- the data path --

    def up(self, port):
        return port in self.iface

    def receive(self, port, frame, now):
        try:
            self.l2(port, frame, now)
        except Dropped:
            self.dropped += 1

    def l2(self, port, f, now):
        if len(f) < 14:
            self.drop("l2", 3)
        dst = int.from_bytes(f[0:6], "big")
        etype = (f[12] << 8) | f[13]
        to_router = self.up(port) and dst == self.iface[port][2]
        if etype == ETH_ARP and (to_router or dst == BROADCAST):
            self.count("l2", 1)
            return self.arp(port, f)
        if not to_router:
            self.count("l2", 2)
            self.drop("discard", 0)               # an LSR does not bridge
        self.count("l2", 0)
        if etype == ETH_IPV4:
            self.count("dispatch", 0)
            return self.ip_in(port, f, now)
        if etype == ETH_MPLS:
            self.count("dispatch", 1)
            return self.label_switch(port, f, now)
        self.drop("dispatch", 2)

    def arp(self, port, f):
        if len(f) < 42:
            self.drop("arp", 3)
        htype, ptype, hlen, plen, oper = struct.unpack("!HHBBH", f[14:22])
        sha, spa = int.from_bytes(f[22:28], "big"), ip_u32(f[28:32])
        tpa = ip_u32(f[38:42])
        if htype != 1 or ptype != ETH_IPV4 or hlen != 6 or plen != 4:
            self.drop("arp", 3)
        if not self.up(port) or tpa != self.iface[port][0]:
            if int.from_bytes(f[0:6], "big") == BROADCAST:
                self.count("arp", 2)
                self.drop("discard", 1)
            self.drop("arp", 4)
        if spa not in self.neighbors or not self.neighbors[spa][1]:
            self.neighbors[spa] = (sha, False)    # learned; a static entry is never replaced
        self.count("arp", 1)
        if oper != 1:
            self.drop("arp", 4)
        my_ip, _, my_mac = self.iface[port]
        reply = bytearray(f)
        reply[0:6] = mac_bytes(sha)
        reply[6:12] = mac_bytes(my_mac)
        reply[20:22] = struct.pack("!H", 2)
        reply[22:28] = mac_bytes(my_mac)
        reply[28:32] = struct.pack("!I", my_ip)
        reply[32:38] = mac_bytes(sha)
        reply[38:42] = struct.pack("!I", spa)
        self.count("arp", 0)
        self.outputs.append((port, bytes(reply)))

    def local_address(self, addr):
        return any(ip == addr for ip, _, _ in self.iface.values())

    def ip_in(self, port, f, now):
        if (f[12] << 8) | f[13] != ETH_IPV4:
            self.drop("ip_in", 4)
        if len(f) < 34:
            self.drop("ip_in", 6)
        ip = f[14:]
        hl = (ip[0] & 0xF) * 4
        total = struct.unpack("!H", ip[2:4])[0]
        if ip[0] >> 4 != 4 or hl < 20 or total < hl:
            self.drop("ip_in", 5)
        if len(ip) < total:
            self.drop("ip_in", 6)
        if not ip_header_ok(ip):
            self.drop("ip_in", 5)
        ip = ip[:total]
        src, dst = ip_u32(ip[12:16]), ip_u32(ip[16:20])
        if self.local_address(dst):
            self.count("ip_in", 2)
            return self.icmp(port, ip, LOCAL, now)
        if martian(dst) or martian(src):
            self.drop("ip_in", 7)
        if ip[8] <= 1:
            self.count("ip_in", 3)
            return self.icmp(port, ip, TIME_EXCEEDED, now)
        if hl > 20:
            self.count("ip_in", 1)
            if not self.options_ok(ip, hl):
                self.drop("options", 1)
            self.count("options", 0)
        else:
            self.count("ip_in", 0)
        return self.fec(port, set_ip_ttl(ip, ip[8] - 1), TRANSIT, now)

    @staticmethod
    def options_ok(ip, hl):
        i = 20
        while i < hl:
            kind = ip[i]
            if kind == 0:
                return True
            if kind == 1:
                i += 1
                continue
            if i + 1 >= hl:
                return False
            n = ip[i + 1]
            if n < 2 or i + n > hl:
                return False
            i += n
        return True

    def icmp(self, port, ip, kind, now):
        hl = (ip[0] & 0xF) * 4
        if kind == LOCAL:
            fragment = struct.unpack("!H", ip[6:8])[0]
            if ip[9] != 1 or fragment & 0x3FFF or len(ip) < hl + 8 or ip[hl] != 8 or ip[hl + 1] != 0:
                self.drop("icmp", 3)
            message = bytearray(ip[hl:])
            message[0] = 0
            message[2:4] = b"\0\0"
            message[2:4] = struct.pack("!H", inet_checksum(bytes(message)))
            header = bytearray(ip[:hl])
            header[12:16], header[16:20] = ip[16:20], ip[12:16]
            header[8] = 64
            self.count("icmp", 0)
            return self.fec(port, with_new_checksum(bytes(header) + bytes(message)), GENERATED, now)
        source = self.iface[port][0] if self.up(port) else 0
        src = ip_u32(ip[12:16])
        is_error = ip[9] == 1 and len(ip) > hl and ip[hl] in (3, 4, 5, 11, 12)
        offset = struct.unpack("!H", ip[6:8])[0] & 0x1FFF
        if source == 0 or is_error or offset != 0 or kind == GENERATED or group_or_broadcast(src) or src == 0:
            self.drop("icmp", 4)
        quoted = ip[:min(hl + 8, len(ip))]
        message = bytes([11 if kind == TIME_EXCEEDED else 3, 0]) + b"\0" * 6 + quoted
        message = message[:2] + struct.pack("!H", inet_checksum(message)) + message[4:]
        header = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 28 + len(quoted), self.icmp_id, 0, 64, 1, 0,
                             struct.pack("!I", source), ip[12:16])
        self.icmp_id = (self.icmp_id + 1) & 0xFFFF
        self.count("icmp", 1 if kind == TIME_EXCEEDED else 2)
        self.dropped += 1                         # the offending packet: the error is a new one
        return self.fec(port, with_new_checksum(header + message), GENERATED, now)

    def fec(self, port, ip, kind, now):
        dst = ip_u32(ip[16:20])
        for plen in range(32, -1, -1):
            hit = self.ftn.get((dst & self.mask(plen), plen))
            if hit:
                labels, out_port, hop = hit
                tc, ttl = ip[1] >> 5, ip[8]
                stack = b"".join(entry(l, tc, 1 if i == len(labels) - 1 else 0, ttl) for i, l in enumerate(labels))
                self.count("ftn", 0)
                return self.encap(stack + ip, hop, out_port, ETH_MPLS, now)
        self.count("ftn", 1)
        return self.route(port, ip, kind, now)

    def route(self, port, ip, kind, now):
        dst = ip_u32(ip[16:20])
        for plen in range(32, -1, -1):
            hit = self.routes.get((dst & self.mask(plen), plen))
            if hit:
                hop, out_port = hit
                self.count("lpm", 0)
                return self.encap(ip, hop or dst, out_port, ETH_IPV4, now)
        if kind == GENERATED:
            self.drop("lpm", 2)
        self.count("lpm", 1)
        return self.icmp(port, ip, UNREACHABLE, now)

    def encap(self, payload, hop, port, ethertype, now):
        if hop not in self.neighbors or not self.up(port):
            self.count("encap", 1)
            if self.up(port):
                slot = hash32(hop) & 1023
                asked = self.pending.get(slot)
                if not (asked and asked[0] == hop and now - asked[1] < ARP_RETRY_NS):
                    self.pending[slot] = (hop, now)
                    my_ip, _, my_mac = self.iface[port]
                    request = (mac_bytes(BROADCAST) + mac_bytes(my_mac) + struct.pack("!H", ETH_ARP)
                               + struct.pack("!HHBBH", 1, ETH_IPV4, 6, 4, 1) + mac_bytes(my_mac)
                               + struct.pack("!I", my_ip) + b"\0" * 6 + struct.pack("!I", hop))
                    self.count("encap", 2)
                    self.outputs.append((port, pad_frame(request)))
            raise Dropped()
        frame = mac_bytes(self.neighbors[hop][0]) + mac_bytes(self.iface[port][2]) + struct.pack("!H", ethertype) + payload
        self.count("encap", 0)
        self.outputs.append((port, pad_frame(frame)))   # padded to the Ethernet minimum

    def label_switch(self, port, f, now):
        if len(f) < 18:
            self.drop("ilm", 4)
        off = 14
        label, tc, s, ttl = parse_entry(f, off)
        pops = 0
        while True:
            label, tc, s, entry_ttl = parse_entry(f, off)
            if label == 0:
                action = ("pop_lookup", [], 0, 0)
            elif label < 16:
                self.drop("ilm", 6)
            elif label not in self.ilm:
                self.drop("ilm", 5)
            else:
                action = self.ilm[label]
            if action[0] != "pop_lookup":
                break
            off += 4
            pops += 1
            if s == 1:
                rest = f[off:]
                if not rest:
                    self.drop("ilm", 4)
                if rest[0] >> 4 != 4:
                    self.drop("ilm", 9)
                if len(rest) < 20:
                    self.drop("ilm", 4)
                if ttl < rest[8]:
                    rest = set_ip_ttl(rest, ttl)
                self.count("ilm", 3)
                return self.ip_in(port, f[0:12] + struct.pack("!H", ETH_IPV4) + rest, now)
            if pops == MAX_POPS:
                self.drop("ilm", 8)
            if len(f) - off < 4:
                self.drop("ilm", 4)
            ttl = min(ttl, parse_entry(f, off)[3])
        op, labels, out_port, hop = action
        if ttl <= 1:
            self.drop("ilm", 7)
        ttl -= 1
        below = f[off + 4:]
        if op == "swap":
            stack = b"".join(entry(l, tc, s if i == len(labels) - 1 else 0, ttl) for i, l in enumerate(labels))
            self.count("ilm", 0)
            return self.encap(stack + below, hop, out_port, ETH_MPLS, now)
        if s == 0:
            if len(below) < 4:
                self.drop("ilm", 4)
            nl, ntc, ns, nttl = parse_entry(below, 0)
            self.count("ilm", 1)
            return self.encap(entry(nl, ntc, ns, min(nttl, ttl)) + below[4:], hop, out_port, ETH_MPLS, now)
        if not below:
            self.drop("ilm", 4)
        if below[0] >> 4 != 4:
            self.drop("ilm", 9)
        if len(below) < 20:
            self.drop("ilm", 4)
        hl = (below[0] & 0xF) * 4
        total = struct.unpack("!H", below[2:4])[0]
        if hl < 20 or total < hl:
            self.drop("ilm", 10)
        if len(below) < total:
            self.drop("ilm", 4)
        if not ip_header_ok(below):
            self.drop("ilm", 10)
        ip = below[:total]
        if ttl < ip[8]:
            ip = set_ip_ttl(ip, ttl)
        self.count("ilm", 2)
        return self.encap(ip, hop, out_port, ETH_IPV4, now)


# ---- runs -----------------------------------------------------------------------------------------

def run(name, traces, control, description):
    router = Router()
    log = []
    for t, call, frame in replay(read_control(os.path.join(HERE, control), timed=False), read_frames(HERE, traces)):
        if frame is not None:
            router.receive(frame[1], frame[2], t)
        elif call.when == "start":
            router.configure(call.path, call.fn, call.args)
        else:
            log.append((call.text, router.query(call.path, call.fn, call.args)))
    comments = description.strip().splitlines()
    comments.append("written by model.py; regenerate with: /usr/bin/python3 gen_traces.py && /usr/bin/python3 model.py")
    write_expected(os.path.join(HERE, "expected", name + ".txt"), comments, traces, control, router.outputs,
                   router.dropped, log)
    print("expected/%s.txt: %d out, %d dropped" % (name, len(router.outputs), router.dropped))


def main():
    for name, make in gen_traces.SCENARIOS.items():
        port = make()[0]
        run(name, [(port, "traces/%s.pcap" % name)], "mpls.ctl", make.__doc__)
    for name, capture, port in CAPTURE_RUNS:
        path = os.path.join(CAPTURES, capture)
        if not os.path.exists(os.path.join(HERE, path)):
            print("%s: not found, %s.txt not written" % (path, name))
            continue
        run(name, [(port, path)], "capture.ctl",
            "The real capture %s on port %d with capture.ctl (see its comments)." % (capture, port))


if __name__ == "__main__":
    main()
