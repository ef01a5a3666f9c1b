"""An independent reader of TensorBoard event files (TensorBoard itself is not in Debian 12): TFRecord framing with
both masked CRC-32C checked, and the Event / Summary / HistogramProto messages decoded from the protobuf wire format.

usage: tfevents_reference.py EVENTS_FILE
prints {"events": [{"wall_time", "step", "file_version"?, "scalars": {tag: value}, "histograms": {tag: {...}}}]}
"""
import json
import struct
import sys


def crc32c(data):
    """Bit by bit, from the definition: reflected Castagnoli polynomial 0x82F63B78, initial and final XOR ~0."""
    crc = 0xFFFFFFFF
    for byte in data:
        crc ^= byte
        for _ in range(8):
            crc = (crc >> 1) ^ (0x82F63B78 if crc & 1 else 0)
    return crc ^ 0xFFFFFFFF


def masked(crc):
    return (((crc >> 15) | (crc << 17)) + 0xA282EAD8) & 0xFFFFFFFF


def fields(data):
    """(field number, wire type, value) of a message: varints as int, fixed64/32 as bytes, length-delimited as bytes."""
    at = 0
    while at < len(data):
        key, at = varint(data, at)
        number, wire = key >> 3, key & 7
        if wire == 0:
            value, at = varint(data, at)
        elif wire == 1:
            value, at = data[at:at + 8], at + 8
        elif wire == 5:
            value, at = data[at:at + 4], at + 4
        elif wire == 2:
            length, at = varint(data, at)
            value, at = data[at:at + length], at + length
        else:
            raise SystemExit(f"wire type {wire} at byte {at}")
        yield number, wire, value


def varint(data, at):
    value, shift = 0, 0
    while True:
        byte = data[at]
        at += 1
        value |= (byte & 0x7F) << shift
        shift += 7
        if not byte & 0x80:
            return value, at


def histogram(data):
    out = {"bucket_limit": [], "bucket": []}
    names = {1: "min", 2: "max", 3: "num", 4: "sum", 5: "sum_squares"}
    for number, wire, value in fields(data):
        if number in names:
            out[names[number]] = struct.unpack("<d", value)[0]
        elif number in (6, 7):
            doubles = list(struct.unpack(f"<{len(value) // 8}d", value))
            out["bucket_limit" if number == 6 else "bucket"].extend(doubles)
    return out


def event(data):
    out = {"scalars": {}, "histograms": {}}
    for number, wire, value in fields(data):
        if number == 1:
            out["wall_time"] = struct.unpack("<d", value)[0]
        elif number == 2:
            out["step"] = value
        elif number == 3:
            out["file_version"] = value.decode()
        elif number == 5:
            for _, _, summary_value in fields(value):
                tag, parts = None, {}
                for n, _, v in fields(summary_value):
                    if n == 1:
                        tag = v.decode()
                    elif n == 2:
                        parts["simple"] = struct.unpack("<f", v)[0]
                    elif n == 5:
                        parts["histo"] = histogram(v)
                if "simple" in parts:
                    out["scalars"][tag] = parts["simple"]
                if "histo" in parts:
                    out["histograms"][tag] = parts["histo"]
    return out


data = open(sys.argv[1], "rb").read()
events, at = [], 0
while at < len(data):
    header = data[at:at + 8]
    (length,) = struct.unpack("<Q", header)
    (length_crc,) = struct.unpack("<I", data[at + 8:at + 12])
    if masked(crc32c(header)) != length_crc:
        raise SystemExit(f"record at byte {at}: the length's CRC does not match")
    body = data[at + 12:at + 12 + length]
    (body_crc,) = struct.unpack("<I", data[at + 12 + length:at + 16 + length])
    if masked(crc32c(body)) != body_crc:
        raise SystemExit(f"record at byte {at}: the data's CRC does not match")
    events.append(event(body))
    at += 16 + length
print(json.dumps({"events": events, "crc32c_check": crc32c(b"123456789")}))
