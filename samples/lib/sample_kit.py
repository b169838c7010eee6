"""Plumbing shared by the sample apps' Python scripts (gen_traces.py, model.py, kernel_lpm.py).

Every sample folder has a trace generator and an independent reference model (see ../README.md).
They all read and write the same file formats: control scripts (.ctl), classic pcap files and
expected-result files (expected/*.txt), and they compute the same Internet checksums and the
target's hash. One copy of that lives here so that the formats are read and written alike everywhere.

Nothing in this module knows what an app does: each model keeps its own decisions (what it drops,
what it sends, what its counters mean) in its own model.py. Only the standard library is used, so
the models stay independent of scapy's pcap reader and of the interpreter.

Import it from a sample folder with:

    sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "lib"))
    from sample_kit import ...
"""
import os
import re
import struct
from collections import namedtuple

NS = 1_000_000_000          # nanoseconds in a second: the unit every timestamp here is kept in
ETH_MIN_FRAME = 60          # IEEE 802.3 minimum frame without the FCS


# ---------------------------------------------------------------- addresses

def ip_to_int(text):
    """A dotted IPv4 address as an integer (the form the models and the control scripts compute with)."""
    a, b, c, d = (int(x) for x in text.split("."))
    return a << 24 | b << 16 | c << 8 | d


def int_to_ip(value):
    """An integer IPv4 address in dotted form."""
    return ".".join(str(x) for x in struct.pack("!I", value))


# ---------------------------------------------------------------- control scripts (.ctl)

# One call per line: `[@TIME|@end] path.fn(args)`, `#` starts a comment. TIME is a number with a
# unit (ns, us, ms, s), counted from the first frame of the run.
_CALL = re.compile(r"^\s*(?:@(?P<when>\S+)\s+)?(?P<path>[\w.]+)\.(?P<fn>\w+)\((?P<args>[^)]*)\)\s*$")
_TIME = re.compile(r"([0-9]+(?:\.[0-9]+)?)(ns|us|ms|s)")
_UNIT_NS = {"ns": 1, "us": 1_000, "ms": 1_000_000, "s": NS}
_MAC = re.compile(r"[0-9a-fA-F]{2}(:[0-9a-fA-F]{2}){5}")
_IPV4 = re.compile(r"\d+(\.\d+){3}")


class ControlCall(namedtuple("ControlCall", "when at_ns text path fn args")):
    """One control-script call.

    when   'start' (a configuration line), 'at' (an @TIME line) or 'end' (an @end line)
    at_ns  for 'at': the time after the run's first frame, in ns; 0 otherwise
    text   the call as the interpreter's control.log names it: path.fn(arg, arg) with the
           arguments as written, separated by ', ' (what expected files quote in `control` lines)
    path   the instance path before the function name, e.g. 'router.lpm'
    fn     the function name
    args   the argument values (see literal)
    """
    __slots__ = ()

    @property
    def name(self):
        """path.fn, the call without its arguments."""
        return "%s.%s" % (self.path, self.fn)


def literal(text):
    """The value of a control-script argument: true or false (1 or 0), a MAC address (six hex pairs,
    as a 48-bit integer), a dotted IPv4 address (as a 32-bit integer), or an integer literal in
    Python's syntax with base prefixes (decimal, 0x.., underscores allowed)."""
    text = text.strip()
    if text in ("true", "false"):
        return int(text == "true")
    if _MAC.fullmatch(text):
        return int(text.replace(":", ""), 16)
    if _IPV4.fullmatch(text):
        return ip_to_int(text)
    return int(text, 0)


def read_control(path, timed=True):
    """The calls of the control script at path, in file order, as ControlCall tuples.

    A line the syntax does not allow raises ValueError rather than being skipped, so a model never
    runs a configuration other than the one the interpreter runs. With timed=False, @TIME lines
    raise ValueError too: for the models that do not model calls made while traffic flows."""
    calls = []
    with open(path, encoding="utf-8") as f:
        for line in f:
            line = line.split("#", 1)[0]
            if not line.strip():
                continue
            m = _CALL.match(line)
            if not m:
                raise ValueError("%s: cannot read %r" % (path, line.strip()))
            args = [a.strip() for a in m["args"].split(",")] if m["args"].strip() else []
            when, at = "start", 0
            if m["when"] == "end":
                when = "end"
            elif m["when"] is not None:
                t = _TIME.fullmatch(m["when"])
                if not t:
                    raise ValueError("%s: cannot read the time of %r" % (path, line.strip()))
                if not timed:
                    raise ValueError("%s: timed control calls are not modelled: %s" % (path, line.strip()))
                when, at = "at", round(float(t.group(1)) * _UNIT_NS[t.group(2)])
            text = "%s.%s(%s)" % (m["path"], m["fn"], ", ".join(args))
            calls.append(ControlCall(when, at, text, m["path"], m["fn"], [literal(a) for a in args]))
    return calls


def replay(calls, frames):
    """The events of one run in the reference interpreter's order, as (time_ns, call, frame) with
    exactly one of call and frame not None (frames as read_frames gives them).

    The start calls come first (at the first frame's time), then the frames in order, each @TIME
    call (TIME counted from the first frame; calls with equal times in file order) just before the
    first frame at or after its time; @TIME calls later than the last frame follow at their own
    time; the @end calls close the run at the time of the last event. Models that need no clock
    ignore the times."""
    first = frames[0][0] if frames else 0
    for c in calls:
        if c.when == "start":
            yield first, c, None
    timed = sorted((c for c in calls if c.when == "at"), key=lambda c: c.at_ns)
    last = first
    for frame in frames:
        while timed and first + timed[0].at_ns <= frame[0]:
            c = timed.pop(0)
            yield first + c.at_ns, c, None
        yield frame[0], None, frame
        last = frame[0]
    for c in timed:
        last = max(last, first + c.at_ns)
        yield last, c, None
    for c in calls:
        if c.when == "end":
            yield last, c, None


# ---------------------------------------------------------------- Internet checksum (RFC 1071, RFC 1624)

def ones_sum(data, start=0):
    """The folded 16-bit one's-complement sum of data (an odd tail padded with a zero byte) plus
    start (an earlier sum, e.g. of a pseudo-header)."""
    data = bytes(data)
    if len(data) % 2:
        data += b"\0"
    s = start + sum(struct.unpack("!%dH" % (len(data) // 2), data))
    while s >> 16:
        s = (s & 0xFFFF) + (s >> 16)
    return s


def inet_checksum(data, start=0):
    """The Internet checksum of data (RFC 1071): the complement of ones_sum."""
    return ~ones_sum(data, start) & 0xFFFF


def checksum_ok(data, start=0):
    """True when data, its checksum field included, verifies (sums to 0xFFFF)."""
    return ones_sum(data, start) == 0xFFFF


def checksum_update(check, old, new):
    """RFC 1624 equation 3, HC' = ~(~HC + ~m + m'): the checksum check after one 16-bit word
    changed from old to new. Unlike a recomputation it keeps a wrong checksum wrong."""
    return checksum_update_bytes(check, struct.pack("!H", old), struct.pack("!H", new))


def checksum_update_bytes(check, old, new):
    """RFC 1624 equation 3 applied to every 16-bit word of old (bytes, even length) that becomes
    the word at the same place in new (bytes of the same length)."""
    s = ~check & 0xFFFF
    for i in range(0, len(old), 2):
        s += (~((old[i] << 8) | old[i + 1]) & 0xFFFF) + ((new[i] << 8) | new[i + 1])
    while s >> 16:
        s = (s & 0xFFFF) + (s >> 16)
    return ~s & 0xFFFF


def set_ipv4_checksum(buf, at=0):
    """Recomputes, in place, the header checksum of the IPv4 header at buf[at:] (a bytearray) and
    returns buf. A header whose IHL claims more bytes than buf holds is summed as if zero-filled,
    so that deliberately broken headers can still carry a correct checksum."""
    hl = (buf[at] & 0x0F) * 4
    buf[at + 10:at + 12] = b"\0\0"
    buf[at + 10:at + 12] = struct.pack("!H", inet_checksum(bytes(buf[at:at + hl]).ljust(hl, b"\0")))
    return buf


# ---------------------------------------------------------------- the target's hash unit

def crc32_mpeg2(data):
    """CRC-32/MPEG-2 of data: polynomial 0x04C11DB7, MSB first, initial value 0xFFFFFFFF, no
    reflection, no final xor."""
    crc = 0xFFFFFFFF
    for byte in data:
        crc ^= byte << 24
        for _ in range(8):
            crc = ((crc << 1) ^ 0x04C11DB7) & 0xFFFFFFFF if crc & 0x80000000 else (crc << 1) & 0xFFFFFFFF
    return crc


def hash32(value):
    """The target's hash32 (the hash unit): CRC-32/MPEG-2 of the value's 8 bytes, most significant
    first. Models need it wherever a table's placement is observable (flow cache sets, ARP slots)."""
    return crc32_mpeg2(value.to_bytes(8, "big"))


# ---------------------------------------------------------------- pcap files and frames

def pad_frame(frame, fill=0):
    """The frame's bytes, padded with fill bytes to the Ethernet minimum of 60 (without the FCS),
    as they are on the wire."""
    data = bytes(frame)
    return data + bytes([fill]) * max(0, ETH_MIN_FRAME - len(data))


def write_pcap(path, records, nano=False):
    """Writes a classic little-endian pcap file with the Ethernet link type (1) and snap length
    65535, written by hand so that nothing (the clock, a library's defaults) varies between runs.

    records: (time_ns, bytes) or (time_ns, bytes, length on the wire) in file order; a wire length
    above the captured length makes a frame captured short. Timestamps are microseconds in the
    file, or nanoseconds with nano=True (the 0xA1B23C4D magic)."""
    with open(path, "wb") as f:
        f.write(struct.pack("<IHHiIII", 0xA1B23C4D if nano else 0xA1B2C3D4, 2, 4, 0, 0, 65535, 1))
        for record in records:
            t, data = record[0], bytes(record[1])
            wire = record[2] if len(record) > 2 else len(data)
            frac = t % NS if nano else t % NS // 1000
            f.write(struct.pack("<IIII", t // NS, frac, len(data), wire))
            f.write(data)


def read_pcap(path):
    """[(time_ns, captured bytes)] of a classic pcap file (either byte order, microsecond or
    nanosecond timestamps). pcapng is not read: every trace and shared capture is classic pcap."""
    with open(path, "rb") as f:
        data = f.read()
    magic = struct.unpack("<I", data[:4])[0]
    if magic in (0xA1B2C3D4, 0xA1B23C4D):
        endian = "<"
    else:
        endian = ">"
        magic = struct.unpack(">I", data[:4])[0]
        if magic not in (0xA1B2C3D4, 0xA1B23C4D):
            raise ValueError("%s: not a classic pcap file" % path)
    scale = 1000 if magic == 0xA1B2C3D4 else 1
    frames, off = [], 24
    while off + 16 <= len(data):
        sec, frac, incl, _wire = struct.unpack(endian + "IIII", data[off:off + 16])
        off += 16
        frames.append((sec * NS + frac * scale, data[off:off + incl]))
        off += incl
    return frames


def read_frames(folder, specs):
    """Every frame of a run's traces as (time_ns, port, bytes), merged by time: the order the
    reference interpreter takes them in. specs: [(port, pcap path relative to folder)], the
    --trace PORT=FILE options of the run. Frames with equal times keep the order of specs, then
    their order in the file."""
    frames = []
    for port, path in specs:
        for t, data in read_pcap(os.path.join(folder, path)):
            frames.append((t, port, data))
    return sorted(frames, key=lambda f: f[0])


# ---------------------------------------------------------------- expected results (expected/*.txt)

def run_line(specs, control):
    """The run: line of an expected file for trace specs [(port, path)] and a control script."""
    return "run: " + " ".join("--trace %d=%s" % (port, path) for port, path in specs) + " --control " + control


def write_expected(path, comments, specs, control, outputs, dropped, log=()):
    """Writes an expected-result file (format: ../README.md).

    comments  lines written first, each as '# ' + line
    specs, control  the run (see run_line)
    outputs   [(port, frame bytes)] in the order to write them (per port, the order sent)
    dropped   the number of packets the program dropped
    log       [(call text, value)] for the `control` lines (empty: no control lines)"""
    lines = ["# " + c for c in comments]
    lines.append(run_line(specs, control))
    lines += ["out %d %s" % (port, bytes(frame).hex()) for port, frame in outputs]
    lines.append("dropped %d" % dropped)
    lines += ["control %s = %s" % (text, value) for text, value in log]
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w", encoding="utf-8") as f:
        f.write("\n".join(lines) + "\n")


# ---------------------------------------------------------------- route lists

def read_route_list(path):
    """[(prefix, length, next hop, port)] with integer addresses from a route list file: one
    `a.b.c.d/len<TAB>hop<TAB>port` per line, `#` comments (l3_switch's routes.txt)."""
    routes = []
    with open(path) as f:
        for line in f:
            line = line.split("#")[0].strip()
            if line:
                prefix, hop, port = line.split("\t")
                addr, length = prefix.split("/")
                routes.append((ip_to_int(addr), int(length), ip_to_int(hop), int(port)))
    return routes
