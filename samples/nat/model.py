#!/usr/bin/python3
"""An independent reference model of samples/nat: writes expected/*.txt (format: samples/README.md).

It reads the control scripts with a regular expression and the traces as raw bytes, and follows
what README.md and the library's comments say the router does, with its own code: Ethernet
classification, ARP, IPv4 input checks, the longest-prefix match, ICMP echo replies and errors,
Ethernet encapsulation with ARP requests, and the NAT's documented policy (connections and their
liveness, round-robin port allocation, TCP states, timeouts, ICMP errors). Checksums of whole
headers and datagrams are recomputed from scratch (and only adjusted when the input's own
checksum was wrong, which a NAT must not repair); only the checksum of a quoted, cut-off datagram
is adjusted, with RFC 1624's equation 3. Packets are handled one at a time in timestamp order, as
the reference interpreter does.
Run: /usr/bin/python3 model.py (after gen_traces.py).
"""
import os
import struct
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "lib"))
from sample_kit import (checksum_ok, checksum_update_bytes, hash32, inet_checksum, ones_sum, pad_frame,  # noqa: E402
                        read_control, read_frames, replay, set_ipv4_checksum, write_expected)

# The runs: expected file name, trace specs (port, file), control script, what it shows.
RUNS = [
    ("basic", [(0, "traces/lan.pcap"), (1, "traces/wan.pcap")], "nat.ctl",
     "connections from several inside hosts (TCP, UDP with and without checksum, echo), replies, unsolicited "
     "inbound, the router's own services, malformed frames, ICMP errors both ways, TTL, TCP endings, ARP, expiry"),
    ("exhaust", [(0, "traces/exhaust_lan.pcap"), (1, "traces/exhaust_wan.pcap")], "exhaust.ctl",
     "a four-port range running out, ports shared between remote endpoints, ports coming back after expiry"),
    ("static", [(0, "traces/static_lan.pcap"), (1, "traces/static_wan.pcap")], "static.ctl",
     "a public address other than the WAN interface's, and a change of it under traffic"),
]

BCAST = 0xFFFFFFFFFFFF
ETH_IPV4, ETH_ARP = 0x0800, 0x0806
ICMP, TCP, UDP = 1, 6, 17
NS = 1_000_000_000

# ip_in's reasons for sending a packet to icmp_gen (and icmp_gen's mark on what it makes).
NONE, LOCAL, TIME_EXCEEDED, UNREACHABLE, GENERATED = range(5)

# ---------------------------------------------------------------- bytes

def u16(b, at):
    return struct.unpack_from(">H", b, at)[0]


def u32(b, at):
    return struct.unpack_from(">I", b, at)[0]


def put16(b, at, v):
    struct.pack_into(">H", b, at, v & 0xFFFF)


def put32(b, at, v):
    struct.pack_into(">I", b, at, v & 0xFFFFFFFF)


def pseudo(ip, length):
    """The pseudo-header sum of a TCP or UDP datagram of length bytes in IPv4 header ip."""
    return ones_sum(ip[12:20] + struct.pack(">HH", ip[9], length))


# ---------------------------------------------------------------- the NAT's connections

class Conn:
    def __init__(self, proto, priv_ip, priv_port, remote_ip, remote_port, pub_port, t):
        self.proto, self.priv_ip, self.priv_port = proto, priv_ip, priv_port
        self.remote_ip, self.remote_port, self.pub_port = remote_ip, remote_port, pub_port
        self.last_seen = t
        self.replied = self.fin_out = self.fin_in = self.reset = False
        self.ended = None            # 'expired' or 'flushed' once gone for good


class Packet:
    """An IPv4 datagram inside the router, with the metadata the model needs."""

    def __init__(self, ip, in_port):
        self.ip = bytearray(ip)
        self.in_port = in_port
        self.kind = NONE
        self.out_port = 0
        self.nexthop = 0

    @property
    def hl(self):
        return (self.ip[0] & 0x0F) * 4


class Router:
    MAX_PORTS = 16
    CONNS = 16384
    PORT_PROBES = 256

    def __init__(self):
        self.iface = {}              # port -> (ip, mac)
        self.routes = {}             # (prefix, len) -> (next hop, port)
        self.neighbors = {}          # ip -> (mac, static)
        self.pending = {}            # eth_encap's ARP request slots: slot -> (ip, time)
        self.icmp_id = 0
        self.dropped = 0
        self.out = []                # (port, bytes)
        self.t = 0
        # the NAT
        self.public_ip = 0
        self.wan = 1
        self.lo, self.hi = 1024, 65535
        self.timeouts = [7440 * NS, 240 * NS, 300 * NS, 60 * NS]
        self.cursor = {TCP: 1024, UDP: 1024, ICMP: 1024}
        self.conns = []
        self.count = [0] * 8         # napt.nat_count
        self.nat_drops = [0] * 4     # napt.nat_drops
        self.parse_drops = {"parse_in": [0] * 4, "parse_out": [0] * 4}
        self.steer = [0] * 4
        self.egress_count = [0] * 4
        self.unrouted = [0] * 2

    # ---- control

    def control(self, path, fn, args):
        """Runs one control call; returns its value, or None for the calls that return nothing."""
        t = self.t
        if (path, fn) == ("l2", "set_interface"):
            port, ip, _plen, mac = args
            self.iface[port] = (ip, mac)
        elif (path, fn) == ("router.lpm", "add_route"):
            prefix, length, hop, port = args
            mask = (0xFFFFFFFF << (32 - length)) & 0xFFFFFFFF
            self.routes[(prefix & mask, length)] = (hop, port)
        elif (path, fn) == ("arp", "add_neighbor"):
            self.neighbors[args[0]] = (args[1], True)
        elif path == "router.nat.napt":
            return self.napt_control(fn, args, t)
        elif (path, fn) == ("router.nat.parse_out", "parse_drops") or (path, fn) == ("router.nat.parse_in", "parse_drops"):
            return self.parse_drops[path.split(".")[-1]][args[0]] if args[0] < 4 else 0
        elif (path, fn) == ("router.nat.steer", "steer_count"):
            return self.steer[args[0]] if args[0] < 4 else 0
        elif (path, fn) == ("router.nat.egress", "egress_count"):
            return self.egress_count[args[0]] if args[0] < 4 else 0
        elif (path, fn) == ("unrouted", "unrouted_drops"):
            return self.unrouted[args[0]] if args[0] < 2 else 0
        else:
            raise SystemExit(f"the model does not know {path}.{fn}")
        return None

    def napt_control(self, fn, args, t):
        if fn == "set_public_address":
            self.flush(t)
            self.public_ip = args[0]
        elif fn == "set_wan_port":
            if args[0] >= self.MAX_PORTS:
                self.count[7] += 1
            else:
                self.wan = args[0]
        elif fn == "set_port_range":
            lo, hi = args
            if lo == 0 or lo > hi:
                self.count[7] += 1
            else:
                self.lo, self.hi = lo, hi
                self.cursor = {TCP: lo, UDP: lo, ICMP: lo}
        elif fn == "set_timeout":
            which, seconds = args
            if which >= 4 or seconds == 0:
                self.count[7] += 1
            else:
                self.settle(t)       # what expired under the old timeout stays expired
                self.timeouts[which] = seconds * NS
        elif fn == "flush":
            self.flush(t)
        elif fn == "active_connections":
            return sum(1 for c in self.conns if self.alive(c, t))
        elif fn == "nat_count":
            if args[0] == 4:
                self.settle(t)
                return sum(1 for c in self.conns if c.ended == "expired")
            return self.count[args[0]] if args[0] < 8 else 0
        elif fn == "nat_drops":
            return self.nat_drops[args[0]] if args[0] < 4 else 0
        elif fn == "allocation_failures":
            return self.nat_drops[1] + self.nat_drops[2]
        elif fn == "public_port":
            proto, priv_ip, priv_port, remote_ip, remote_port = args
            c = self.find_out(proto, priv_ip, priv_port, remote_ip, remote_port, t)
            return c.pub_port if c else 0
        elif fn == "timeout":
            return self.timeouts[args[0]] // NS if args[0] < 4 else 0
        else:
            raise SystemExit(f"the model does not know napt.{fn}")
        return None

    def settle(self, t):
        for c in self.conns:
            if c.ended is None and not self.alive(c, t):
                c.ended = "expired"

    def flush(self, t):
        self.settle(t)
        for c in self.conns:
            if c.ended is None:
                c.ended = "flushed"
                self.count[5] += 1

    # ---- frames

    def drop(self):
        self.dropped += 1

    def port_up(self, port):
        return port in self.iface

    def frame(self, port, data, t):
        """l2_classify: to the router's MAC, ARP for the router or broadcast, or not the router's."""
        self.t = t
        if len(data) < 14:
            self.drop()
            return
        dst = int.from_bytes(data[0:6], "big")
        etype = u16(data, 12)
        to_router = self.port_up(port) and dst == self.iface[port][1]
        if etype == ETH_ARP and (to_router or dst == BCAST):
            self.arp(port, bytearray(data))
        elif to_router:
            self.ip_in(port, data)
        else:
            self.unrouted[0] += 1
            self.drop()

    def arp(self, port, e):
        """arp_handler: answers requests for the router's address on the port, learns the sender."""
        if len(e) < 42:
            self.drop()
            return
        htype, ptype, hlen, plen, oper = struct.unpack_from(">HHBBH", e, 14)
        if htype != 1 or ptype != ETH_IPV4 or hlen != 6 or plen != 4:
            self.drop()
            return
        sha, spa, tpa = e[22:28], u32(e, 28), u32(e, 38)
        if not self.port_up(port) or tpa != self.iface[port][0]:
            if int.from_bytes(e[0:6], "big") == BCAST:
                self.unrouted[1] += 1
            self.drop()
            return
        known = self.neighbors.get(spa)
        if not (known and known[1]):
            self.neighbors[spa] = (int.from_bytes(sha, "big"), False)
        if oper != 1:
            self.drop()
            return
        ip, mac = self.iface[port]
        mac_bytes = mac.to_bytes(6, "big")
        put16(e, 20, 2)
        e[32:38] = sha
        put32(e, 38, spa)
        e[22:28] = mac_bytes
        put32(e, 28, ip)
        e[0:6] = sha
        e[6:12] = mac_bytes
        self.out.append((port, bytes(e)))

    def ip_in(self, port, e):
        """RFC 1812 input checks; the datagram without Ethernet padding goes on."""
        if u16(e, 12) != ETH_IPV4 or len(e) < 34:
            self.drop()
            return
        ip = e[14:]
        hl = (ip[0] & 0x0F) * 4
        length = u16(ip, 2)
        if ip[0] >> 4 != 4 or hl < 20 or length < hl or len(ip) < length or not checksum_ok(ip[:hl]):
            self.drop()
            return
        p = Packet(ip[:length], port)
        src, dst = u32(p.ip, 12), u32(p.ip, 16)
        if any(ipaddr == dst for ipaddr, _ in self.iface.values()):
            p.kind = LOCAL
            self.steer_local(p)
            return
        if any(a >= 0xE0000000 or a >> 24 in (0, 127) for a in (src, dst)):     # martians (RFC 1812 5.3.7)
            self.drop()
            return
        if p.ip[8] <= 1:
            p.kind = TIME_EXCEEDED
            self.steer_local(p)
            return
        if hl > 20 and not self.options_ok(p.ip[20:hl]):
            self.drop()
            return
        self.decrement_ttl(p)
        self.steer_transit(p)

    @staticmethod
    def options_ok(options):
        i = 0
        while i < len(options):
            if options[i] == 0:
                return True
            if options[i] == 1:
                i += 1
                continue
            if i + 1 >= len(options) or options[i + 1] < 2 or i + options[i + 1] > len(options):
                return False
            i += options[i + 1]
        return True

    def decrement_ttl(self, p):
        p.ip[8] -= 1
        set_ipv4_checksum(p.ip, 0)

    # ---- the NAT's steering (before the lookup) and egress (after it)

    def public_address(self):
        if self.public_ip:
            return self.public_ip
        return self.iface[self.wan][0] if self.port_up(self.wan) else 0

    def for_public(self, p):
        pub = self.public_address()
        return pub != 0 and u32(p.ip, 16) == pub

    def steer_transit(self, p):
        if p.in_port != self.wan:
            self.steer[0] += 1
            self.lookup(p)
        elif not self.for_public(p):
            self.steer[3] += 1
            self.drop()
        else:
            self.steer[2] += 1
            self.inbound(p, ttl_done=True)

    def steer_local(self, p):
        if p.in_port != self.wan:
            self.steer[1] += 1
            self.icmp_gen(p)
        elif not self.for_public(p):
            self.steer[3] += 1
            self.drop()
        else:
            self.steer[2] += 1
            self.inbound(p, ttl_done=False)

    def egress(self, p):
        """Inside transit to the WAN port is translated; what would reflect or leak is dropped."""
        if p.out_port != self.wan:
            self.egress_count[1] += 1
            self.encap(p)
        elif p.kind == NONE and p.in_port != self.wan:
            self.egress_count[0] += 1
            self.outbound(p)
        elif p.kind == NONE:
            self.egress_count[2] += 1          # translated back to an address outside
            self.drop()
        elif u32(p.ip, 12) not in (self.public_address(), self.iface[self.wan][0] if self.port_up(self.wan) else 0):
            self.egress_count[3] += 1          # the router's own, from an inside address
            self.drop()
        else:
            self.egress_count[1] += 1
            self.encap(p)

    # ---- transport parsing

    def parse(self, p, who):
        """(class, proto, src, dst, sport, dport, tcp flags), or None (dropped and counted)."""
        ip, hl = p.ip, p.hl
        proto, src, dst = ip[9], u32(ip, 12), u32(ip, 16)
        flags_frag = u16(ip, 6)
        if flags_frag & 0x3FFF:                  # MF or a fragment offset
            return self.parse_drop(who, 0)
        l4 = ip[hl:]
        if proto == TCP:
            if len(l4) < 20 or (l4[12] >> 4) * 4 < 20 or len(l4) < (l4[12] >> 4) * 4:
                return self.parse_drop(who, 1)
            return ("tcp", TCP, src, dst, u16(l4, 0), u16(l4, 2), l4[13])
        if proto == UDP:
            if len(l4) < 8 or u16(l4, 4) < 8 or len(l4) < u16(l4, 4):
                return self.parse_drop(who, 1)
            return ("udp", UDP, src, dst, u16(l4, 0), u16(l4, 2), 0)
        if proto != ICMP:
            return self.parse_drop(who, 2)
        if len(l4) < 8:
            return self.parse_drop(who, 1)
        mtype, code, ident = l4[0], l4[1], u16(l4, 4)
        if (mtype, code) == (8, 0):
            return ("echo_request", ICMP, src, dst, ident, 0, 0)
        if (mtype, code) == (0, 0):
            return ("echo_reply", ICMP, src, dst, 0, ident, 0)
        if mtype in (3, 11, 12):
            q = l4[8:]
            if len(q) >= 20:
                qhl = (q[0] & 0x0F) * 4
                if q[0] >> 4 == 4 and qhl >= 20 and len(q) >= qhl + 8 and u16(q, 6) & 0x1FFF == 0:
                    qproto, qsrc, qdst, ql4 = q[9], u32(q, 12), u32(q, 16), q[qhl:]
                    # The quoted datagram travelled the other way: its flow, reversed.
                    if qproto in (TCP, UDP):
                        return ("error", qproto, qdst, qsrc, u16(ql4, 2), u16(ql4, 0), 0)
                    if qproto == ICMP and (ql4[0], ql4[1]) == (8, 0):
                        return ("error", ICMP, qdst, qsrc, 0, u16(ql4, 4), 0)
        return self.parse_drop(who, 3)

    def parse_drop(self, who, reason):
        self.parse_drops[who][reason] += 1
        self.drop()
        return None

    # ---- connections

    def timeout(self, c):
        if c.proto == TCP:
            closed = c.reset or (c.fin_out and c.fin_in)
            return self.timeouts[0] if c.replied and not closed else self.timeouts[1]
        return self.timeouts[2] if c.proto == UDP else self.timeouts[3]

    def alive(self, c, t):
        return c.ended is None and max(0, t - c.last_seen) < self.timeout(c)

    def find_out(self, proto, priv_ip, priv_port, remote_ip, remote_port, t):
        for c in self.conns:
            if (c.proto, c.priv_ip, c.priv_port, c.remote_ip, c.remote_port) == (proto, priv_ip, priv_port, remote_ip, remote_port) \
                    and self.alive(c, t):
                return c
        return None

    def find_in(self, proto, remote_ip, remote_port, pub_port, t):
        for c in self.conns:
            if (c.proto, c.remote_ip, c.remote_port, c.pub_port) == (proto, remote_ip, remote_port, pub_port) and self.alive(c, t):
                return c
        return None

    def allocate(self, proto, remote_ip, remote_port, t):
        """Round robin from the cursor: the first port no live connection to this remote endpoint holds."""
        port = self.cursor[proto]
        if not self.lo <= port <= self.hi:
            port = self.lo
        for _ in range(min(self.hi - self.lo + 1, self.PORT_PROBES)):
            following = port + 1 if port < self.hi else self.lo
            if self.find_in(proto, remote_ip, remote_port, port, t) is None:
                self.cursor[proto] = following
                return port
            port = following
        self.cursor[proto] = port
        return None

    def outbound(self, p):
        f = self.parse(p, "parse_out")
        if f is None:
            return
        cls, proto, src, dst, sport, dport, flags = f
        pub = self.public_address()
        if pub == 0:
            self.nat_drops[3] += 1
            self.drop()
            return
        if cls == "echo_reply":
            self.nat_drops[0] += 1
            self.drop()
            return
        t = self.t
        c = self.find_out(proto, src, sport, dst, dport, t)
        if c is None and cls == "error":
            self.nat_drops[0] += 1
            self.drop()
            return
        if c is None:
            port = self.allocate(proto, dst, dport, t)
            if port is None:
                self.nat_drops[1] += 1
                self.drop()
                return
            c = Conn(proto, src, sport, dst, dport, port, t)
            self.conns.append(c)
            assert sum(1 for x in self.conns if x.ended is None) <= self.CONNS
            self.count[0] += 1
        if cls == "error":
            self.translate_error(p, False, pub, c.pub_port)
            self.count[3] += 1
        else:
            c.last_seen = t
            if proto == TCP:
                c.reset |= bool(flags & 4)
                c.fin_out |= bool(flags & 1)
            self.translate(p, cls, False, pub, c.pub_port)
            self.count[1] += 1
        self.encap(p)

    def inbound(self, p, ttl_done):
        f = self.parse(p, "parse_in")
        if f is None:
            return
        cls, proto, src, dst, sport, dport, flags = f
        if cls == "echo_request":
            # The public address pinged: the router answers when the address is its own.
            if not ttl_done and any(ipaddr == u32(p.ip, 16) for ipaddr, _ in self.iface.values()):
                self.icmp_gen(p)
            else:
                self.nat_drops[0] += 1
                self.drop()
            return
        if cls == "error" and dst != u32(p.ip, 16):
            self.nat_drops[0] += 1
            self.drop()
            return
        t = self.t
        c = self.find_in(proto, src, sport, dport, t)
        if c is None:
            self.nat_drops[0] += 1
            self.drop()
            return
        if not ttl_done and p.ip[8] <= 1:
            self.count[6] += 1
            p.kind = TIME_EXCEEDED
            self.icmp_gen(p)
            return
        if cls != "error":
            c.last_seen = t
            if proto == TCP:
                c.replied = True
                c.reset |= bool(flags & 4)
                c.fin_in |= bool(flags & 1)
        if not ttl_done:
            self.decrement_ttl(p)
        if cls == "error":
            self.translate_error(p, True, c.priv_ip, c.priv_port)
            self.count[3] += 1
        else:
            self.translate(p, cls, True, c.priv_ip, c.priv_port)
            self.count[2] += 1
        p.kind = NONE
        self.lookup(p)

    # ---- rewriting

    def translate(self, p, cls, inbound, addr, port):
        """The new source (outbound) or destination (inbound) address and port, with checksums."""
        ip, hl = p.ip, p.hl
        old = bytes(ip)
        put32(ip, 16 if inbound else 12, addr)
        set_ipv4_checksum(ip, 0)
        l4 = hl
        if cls in ("tcp", "udp"):
            put16(ip, l4 + (2 if inbound else 0), port)
            at = l4 + (16 if cls == "tcp" else 6)
            self.fix_transport(ip, old, at, cls)
        else:
            put16(ip, l4 + 4, port)
            self.fix_icmp(ip, old, l4)

    def fix_transport(self, ip, old, at, cls):
        """The TCP or UDP checksum at ip[at] after the addresses and ports changed from old's."""
        hl = (ip[0] & 0x0F) * 4
        was = u16(old, at)
        if cls == "udp" and was == 0:
            return                    # no checksum, and none added
        end = hl + u16(old, hl + 4) if cls == "udp" else len(old)    # UDP: its own length
        seg_old, seg_new = bytearray(old[hl:end]), bytearray(ip[hl:end])
        incremental = checksum_update_bytes(was, old[12:20] + old[hl:hl + 4], ip[12:20] + ip[hl:hl + 4])
        if checksum_ok(seg_old, pseudo(old, len(seg_old))):
            put16(seg_new, at - hl, 0)
            new = inet_checksum(seg_new, pseudo(ip, len(seg_new)))
            assert new == incremental, "RFC 1624 and a recomputation disagree"
        else:
            new = incremental
        if cls == "udp" and new == 0:
            new = 0xFFFF
        put16(ip, at, new)

    def fix_icmp(self, ip, old, l4):
        """The ICMP checksum at ip[l4+2] after the message changed from old's (no pseudo-header)."""
        was = u16(old, l4 + 2)
        if checksum_ok(old[l4:]):
            put16(ip, l4 + 2, 0)
            put16(ip, l4 + 2, inet_checksum(ip[l4:]))
        else:
            before, after = bytearray(old[l4:]), bytearray(ip[l4:])
            put16(after, 2, was)
            pad = b"\0" * (len(before) % 2)
            put16(ip, l4 + 2, checksum_update_bytes(was, bytes(before) + pad, bytes(after) + pad))

    def translate_error(self, p, inbound, addr, port):
        """An ICMP error and the datagram it quotes: inbound the quoted source (address, port or echo
        id) becomes the private one, outbound the quoted destination becomes the public one."""
        ip, hl = p.ip, p.hl
        old = bytes(ip)
        put32(ip, 16 if inbound else 12, addr)
        set_ipv4_checksum(ip, 0)
        q = hl + 8                    # the quoted IPv4 header
        qhl = (ip[q] & 0x0F) * 4
        qold = bytes(ip[q:])
        put32(ip, q + (12 if inbound else 16), addr)
        set_ipv4_checksum(ip, q)
        ql4 = q + qhl
        proto = ip[q + 9]
        if proto == ICMP:
            put16(ip, ql4 + 4, port)
            put16(ip, ql4 + 2, checksum_update_bytes(u16(ip, ql4 + 2), qold[qhl + 4:qhl + 6], ip[ql4 + 4:ql4 + 6]))
        else:
            put16(ip, ql4 + (0 if inbound else 2), port)
            at = 6 if proto == UDP else 16
            if len(ip) >= ql4 + at + 2 and not (proto == UDP and u16(ip, ql4 + at) == 0):
                # Only part of the datagram is quoted: adjust for the address and port that changed.
                was = u16(ip, ql4 + at)
                new = checksum_update_bytes(was, qold[12:20] + qold[qhl:qhl + 4], ip[q + 12:q + 20] + ip[ql4:ql4 + 4])
                put16(ip, ql4 + at, 0xFFFF if proto == UDP and new == 0 else new)
        self.fix_icmp(ip, old, hl)

    # ---- routing, ICMP, Ethernet

    def lookup(self, p):
        dst = u32(p.ip, 16)
        best = None
        for (prefix, length), (hop, port) in self.routes.items():
            mask = (0xFFFFFFFF << (32 - length)) & 0xFFFFFFFF
            if dst & mask == prefix and (best is None or length > best[0]):
                best = (length, hop, port)
        if best is None:
            if p.kind == GENERATED:
                self.drop()
                return
            p.kind = UNREACHABLE
            self.icmp_gen(p)
            return
        _, hop, port = best
        p.nexthop = hop or dst
        p.out_port = port
        self.egress(p)

    def icmp_gen(self, p):
        ip, hl = p.ip, p.hl
        if p.kind == LOCAL:
            l4 = ip[hl:]
            if ip[9] != ICMP or u16(ip, 6) & 0x3FFF or len(l4) < 8 or (l4[0], l4[1]) != (8, 0):
                self.drop()
                return
            old = bytes(ip)
            ip[hl] = 0
            self.fix_icmp(ip, old, hl)
            ip[12:16], ip[16:20] = old[16:20], old[12:16]
            ip[8] = 64
            set_ipv4_checksum(ip, 0)
            p.kind = GENERATED
            self.lookup(p)
            return
        source = self.iface[p.in_port][0] if self.port_up(p.in_port) else 0
        src = u32(ip, 12)
        is_error = ip[9] == ICMP and len(ip) > hl and ip[hl] in (3, 4, 5, 11, 12)
        if source == 0 or is_error or u16(ip, 6) & 0x1FFF or p.kind == GENERATED or src >= 0xE0000000 or src == 0:
            self.drop()
            return
        quoted = bytes(ip[:min(hl + 8, len(ip))])
        msg = bytearray([11 if p.kind == TIME_EXCEEDED else 3, 0, 0, 0, 0, 0, 0, 0]) + quoted
        put16(msg, 2, inet_checksum(msg))
        hdr = bytearray(struct.pack(">BBHHHBBHII", 0x45, 0, 28 + len(quoted), self.icmp_id & 0xFFFF, 0, 64, ICMP, 0, source, src))
        self.icmp_id += 1
        put16(hdr, 10, inet_checksum(hdr))
        self.drop()                   # the offending packet; the error is a new one
        made = Packet(hdr + msg, 255)
        made.kind = GENERATED
        self.lookup(made)

    def encap(self, p):
        port, hop = p.out_port, p.nexthop
        if hop not in self.neighbors or not self.port_up(port):
            self.drop()
            if self.port_up(port):
                self.ask(hop, port)
            return
        header = self.neighbors[hop][0].to_bytes(6, "big") + self.iface[port][1].to_bytes(6, "big") + struct.pack(">H", ETH_IPV4)
        frame = header + bytes(p.ip)
        self.out.append((port, pad_frame(frame)))    # zero padding to the Ethernet minimum

    def ask(self, hop, port):
        """An ARP request for hop, at most one per second per (hashed) slot."""
        slot = hash32(hop) & 1023
        seen = self.pending.get(slot)
        if seen and seen[0] == hop and self.t - seen[1] < NS:
            return
        self.pending[slot] = (hop, self.t)
        ip, mac = self.iface[port]
        mac_bytes = mac.to_bytes(6, "big")
        frame = (b"\xff" * 6 + mac_bytes + struct.pack(">HHHBBH", ETH_ARP, 1, ETH_IPV4, 6, 4, 1)
                 + mac_bytes + struct.pack(">I", ip) + bytes(6) + struct.pack(">I", hop))
        self.out.append((port, pad_frame(frame)))


# ---------------------------------------------------------------- runs

def run(name, specs, control, about):
    frames = read_frames(HERE, specs)
    router = Router()
    log = []
    for t, call, frame in replay(read_control(os.path.join(HERE, control)), frames):
        if frame is not None:
            router.frame(frame[1], frame[2], t)
            continue
        router.t = t
        value = router.control(call.path, call.fn, call.args)
        if value is not None:
            log.append((call.text, value))
    write_expected(os.path.join(HERE, "expected", f"{name}.txt"),
                   [about, "written by model.py (an independent model), not by the interpreter"],
                   specs, control, router.out, router.dropped, log)
    print(f"expected/{name}.txt: {len(frames)} in, {len(router.out)} out, {router.dropped} dropped")


def main():
    for r in RUNS:
        run(*r)


if __name__ == "__main__":
    main()
