#!/usr/bin/python3
"""An independent reference model of samples/firewall: writes expected/*.txt (format: samples/README.md).

It reads the control scripts with a regular expression and the traces as raw bytes, and follows
the decisions of README.md with its own code: the validation order of ipv4_parse, a first-match
classifier over the rules, the 4-way LRU flow cache (its hits, misses and evictions are observable
through control queries, so the model keeps the same sets, hash and replacement), the counters.
Packets are handled one at a time in timestamp order, as the reference interpreter does.
Run: /usr/bin/python3 model.py (after gen_traces.py).
"""
import os
import struct
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "lib"))
from sample_kit import checksum_ok, hash32, read_control, read_frames, replay, write_expected  # noqa: E402

# Drop reasons, numbered as in defs.baker.
BAD_PORT, NOT_IPV4, ARP, TRUNCATED, MALFORMED, BAD_CHECKSUM, FRAGMENT, NO_RULE, RULE = range(9)
MAX_RULES = 4096
SETS, WAYS = 1024, 4

# The runs: expected file name, trace specs (port, file), control script, what it shows.
RUNS = [
    ("rules", [(0, "traces/rules_p0.pcap"), (1, "traces/rules_p1.pcap")], "firewall.ctl",
     "one packet per rule case: first match, prefix lengths, port range edges, protocol wildcards, drop rules, default"),
    ("flows", [(0, "traces/flows_p0.pcap"), (1, "traces/flows_p1.pcap")], "firewall.ctl",
     "conversations in both directions and repeated flows: cache hits, and LRU evictions in one full cache set"),
    ("malformed", [(0, "traces/malformed.pcap"), (2, "traces/badport.pcap")], "firewall.ctl",
     "non-IPv4, ARP, truncated, malformed, bad-checksum and fragmented frames, and frames on a port that does not exist"),
    ("changes", [(0, "traces/changes_p0.pcap"), (1, "traces/changes_p1.pcap")], "changes.ctl",
     "rule changes under traffic: cached flows follow new rules, the default action, ARP handling, a cache flush"),
]

# ---------------------------------------------------------------- the firewall

def mask(length):
    return 0 if length == 0 else (0xFFFFFFFF << (32 - length)) & 0xFFFFFFFF


def cache_set(key):
    src, dst, sport, dport, proto = key
    h = hash32(src << 32 | dst)
    return hash32((h ^ proto) << 32 | sport << 16 | dport) % SETS


class Firewall:
    def __init__(self):
        self.rules = []                  # (src, smask, dst, dmask, splo, sphi, dplo, dphi, proto, pmask, action)
        self.hits = []
        self.bad_rules = 0
        self.default_permit = False
        self.version = 1
        self.pass_arp = True
        self.arp_passed = 0
        self.drops = [0] * 9
        self.permitted = 0
        self.sent = [0, 0]
        self.cache = [[None] * WAYS for _ in range(SETS)]   # entry: [key, rule, version, last_used]
        self.tick = 0
        self.cache_hits = self.cache_misses = self.evictions = 0

    # -- control functions (returns None for void ones)
    def control(self, fn, args):
        name = fn.split(".")[-2:]
        table = {
            ("policy", "add_rule"): lambda: self.add_rule(*args),
            ("policy", "clear_rules"): self.clear_rules,
            ("policy", "set_default_action"): lambda: self.set_default(*args),
            ("policy", "rule_count"): lambda: len(self.rules),
            ("policy", "rule_hits"): lambda: self.hits[args[0]] if args[0] < len(self.rules) else 0,
            ("policy", "bad_rule_count"): lambda: self.bad_rules,
            ("policy", "permitted"): lambda: self.permitted,
            ("policy", "drops"): lambda: self.drops[args[0]] if args[0] in (NO_RULE, RULE) else 0,
            ("parse", "drops"): lambda: self.drops[args[0]] if args[0] < NO_RULE else 0,
            ("parse", "set_pass_arp"): lambda: self.set_pass_arp(*args),
            ("parse", "arp_forwarded"): lambda: self.arp_passed,
            ("cache", "hits"): lambda: self.cache_hits,
            ("cache", "misses"): lambda: self.cache_misses,
            ("cache", "evictions"): lambda: self.evictions,
            ("cache", "entries"): lambda: sum(1 for s in self.cache for e in s if e and e[2] == self.version),
            ("cache", "flush"): self.flush,
            ("wire", "forwarded"): lambda: self.sent[args[0]] if args[0] < 2 else 0,
        }
        return table[tuple(name)]()

    def add_rule(self, src, slen, dst, dlen, splo, sphi, dplo, dphi, proto, pmask, action):
        if len(self.rules) >= MAX_RULES:
            self.bad_rules += 1
            return
        if slen > 32 or dlen > 32 or splo > sphi or dplo > dphi or action > 1:
            self.bad_rules += 1
            rule = None                                   # keeps its index, matches nothing
        else:
            rule = (src & mask(slen), mask(slen), dst & mask(dlen), mask(dlen), splo, sphi, dplo, dphi,
                    proto & pmask, pmask, action)
        self.rules.append(rule)
        self.hits.append(0)
        self.version += 1

    def clear_rules(self):
        self.rules, self.hits, self.bad_rules = [], [], 0
        self.version += 1

    def set_default(self, action):
        if action <= 1:
            self.default_permit = action == 1

    def set_pass_arp(self, value):
        self.pass_arp = bool(value)

    def flush(self):
        self.cache = [[None] * WAYS for _ in range(SETS)]

    # -- the data path: returns the output port, or None when the packet is dropped
    def packet(self, port, data):
        if port > 1:
            return self.drop(BAD_PORT)
        if len(data) < 14:
            return self.drop(TRUNCATED)
        ethertype = struct.unpack(">H", data[12:14])[0]
        if ethertype == 0x0806:
            if not self.pass_arp:
                return self.drop(ARP)
            self.arp_passed += 1
            return self.forward(port)
        if ethertype != 0x0800:
            return self.drop(NOT_IPV4)
        key = self.five_tuple(data[14:])
        if isinstance(key, int):
            return self.drop(key)
        rule = self.lookup(key)
        permit = self.default_permit if rule == -1 else self.rules[rule][10] == 1
        if rule != -1:
            self.hits[rule] += 1
        if not permit:
            return self.drop(NO_RULE if rule == -1 else RULE)
        self.permitted += 1
        return self.forward(port)

    def five_tuple(self, ip):
        """(src, dst, sport, dport, proto), or the drop reason; checks in the order README.md gives."""
        if len(ip) < 20:
            return TRUNCATED
        version, ihl = ip[0] >> 4, ip[0] & 15
        if version != 4 or ihl < 5:
            return MALFORMED
        header, total = ihl * 4, struct.unpack(">H", ip[2:4])[0]
        if total < header:
            return MALFORMED
        if total > len(ip):
            return TRUNCATED
        if not checksum_ok(ip[:header]):
            return BAD_CHECKSUM
        flags_frag = struct.unpack(">H", ip[6:8])[0]
        if flags_frag & 0x2000 or flags_frag & 0x1FFF:
            return FRAGMENT
        proto = ip[9]
        src, dst = struct.unpack(">II", ip[12:20])
        payload = total - header
        sport = dport = 0
        if proto == 6:
            if payload < 20:
                return TRUNCATED
            offset = ip[header + 12] >> 4
            if offset < 5:
                return MALFORMED
            if offset * 4 > payload:
                return TRUNCATED
        elif proto == 17 and payload < 8:
            return TRUNCATED
        if proto in (6, 17):
            sport, dport = struct.unpack(">HH", ip[header:header + 4])
        return (src, dst, sport, dport, proto)

    def classify(self, key):
        """The first matching rule's index, or -1."""
        src, dst, sport, dport, proto = key
        for i, r in enumerate(self.rules):
            if r is None:
                continue
            rsrc, smask, rdst, dmask, splo, sphi, dplo, dphi, rproto, pmask, _ = r
            if (src & smask == rsrc and dst & dmask == rdst and splo <= sport <= sphi
                    and dplo <= dport <= dphi and proto & pmask == rproto):
                return i
        return -1

    def lookup(self, key):
        """The flow cache: a hit returns the cached rule; a miss classifies and learns (LRU in a 4-way set)."""
        ways = self.cache[cache_set(key)]
        self.tick += 1
        for entry in ways:
            if entry and entry[2] == self.version and entry[0] == key:
                entry[3] = self.tick
                self.cache_hits += 1
                return entry[1]
        self.cache_misses += 1
        rule = self.classify(key)
        self.tick += 1
        current = [i for i, e in enumerate(ways) if e and e[2] == self.version]
        free = [i for i in range(WAYS) if i not in current]
        if free:
            way = free[0]
        else:
            way = min(current, key=lambda i: (ways[i][3], i))
            self.evictions += 1
        ways[way] = [key, rule, self.version, self.tick]
        return rule

    def drop(self, reason):
        self.drops[reason] += 1
        return None

    def forward(self, port):
        self.sent[port ^ 1] += 1
        return port ^ 1


# ---------------------------------------------------------------- runs

def run(name, specs, control, about):
    fw = Firewall()
    log, outputs = [], []
    frames = read_frames(HERE, specs)
    for _, call, frame in replay(read_control(os.path.join(HERE, control)), frames):
        if frame is not None:
            out = fw.packet(frame[1], frame[2])
            if out is not None:
                outputs.append((out, frame[2]))
            continue
        value = fw.control(call.name, call.args)
        if value is not None:
            log.append((call.text, value))
    dropped = len(frames) - len(outputs)
    write_expected(os.path.join(HERE, "expected", f"{name}.txt"),
                   [about, "written by model.py (an independent model), not by the interpreter"],
                   specs, control, outputs, dropped, log)
    print(f"expected/{name}.txt: {len(frames)} in, {len(outputs)} out, {dropped} dropped")


def main():
    for spec in RUNS:
        run(*spec)


if __name__ == "__main__":
    main()
