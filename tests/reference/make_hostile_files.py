"""Writes files that declare more than they hold, or that are programs, for the tests of tau's readers.

    archive KIND SOURCE OUT   a copy of the torch archive SOURCE with one declaration changed in its data.pkl
                              (or its zip directory); every CRC is right, so only the declaration is wrong:
        unchanged      the same records, rewritten (a control: it must still load)
        storage_count  the first storage declares 2**40 elements
        tensor_view    the first tensor's first size becomes 2**20 (a view far past its storage)
        expanded_view  the first tensor has 2**40 elements or more, every stride 0: inside its storage, but any
                       copy of it is terabytes
        memo_slot      the first memo put names slot 0xFFFFFFF0 (LibTorch fills every slot up to it: 64 GB)
        string_length  the first string declares 0xFFFFFF00 bytes
        record_size    the record archive/data/0 is deflated and declares 0x7FFFFFFF bytes
        duplicate_name a second data.pkl, whose first storage declares 2**40 elements (a reader takes either)
    script KIND OUT MARKER    a TorchScript feature extractor (1x28x28 images -> 8 features):
        plain          convolutions only
        saver          its forward calls torch.save(x, MARKER)
        setstate       its __setstate__ (run while loading) calls torch.save(..., MARKER)
        profiler       its forward calls profiler:: operators (outside aten:: and prim::)
    png WIDTH HEIGHT OUT      a grey PNG whose header declares WIDTH x HEIGHT and whose data is empty
    mat COUNT OUT             an SVHN-like MATLAB 5 file whose X declares 32x32x3xCOUNT and holds one image
"""
import io
import warnings
import pickletools
import struct
import sys
import zipfile
import zlib
from typing import Tuple

LONG1 = b"\x8a"


def long1(value):
    data = value.to_bytes((value.bit_length() + 8) // 8, "little", signed=True)
    return LONG1 + bytes([len(data)]) + data


def ops_of(pickle):
    """(opcode name, start, end) of every opcode."""
    ops = list(pickletools.genops(pickle))
    return [(op.name, pos, ops[i + 1][2] if i + 1 < len(ops) else len(pickle)) for i, (op, _, pos) in enumerate(ops)]


def splice(pickle, start, end, replacement):
    return pickle[:start] + replacement + pickle[end:]


def tuple_span(ops, at):
    """(first op, one past the last op, item count) of the tuple of small ints whose ops start at index `at`."""
    names = [op[0] for op in ops]
    if names[at] == "EMPTY_TUPLE":
        return at, at + 1, 0
    start = at
    if names[at] == "MARK":
        at += 1
    items = 0
    while names[at] not in ("TUPLE", "TUPLE1", "TUPLE2", "TUPLE3"):
        items += 1
        at += 1
    return start, at + 1, items


def patched_pickle(kind, pickle):
    ops = ops_of(pickle)
    names = [op[0] for op in ops]
    if kind == "storage_count":
        persid = names.index("BINPERSID")
        tuple_at = max(i for i in range(persid) if names[i] == "TUPLE")
        _, start, end = ops[tuple_at - 1]  # the count, last field of ('storage', type, key, location, count)
        return splice(pickle, start, end, long1(2**40))
    if kind == "tensor_view":
        at = names.index("BINPERSID") + 1
        while names[at] in ("BINPUT", "LONG_BINPUT"):
            at += 1
        at += 1  # the storage offset
        if names[at] == "MARK":
            at += 1
        _, start, end = ops[at]  # the first size
        return splice(pickle, start, end, long1(2**20))
    if kind == "expanded_view":
        at = names.index("BINPERSID") + 1
        while names[at] in ("BINPUT", "LONG_BINPUT"):
            at += 1
        at += 1  # past the storage offset, to the sizes tuple
        sizes_start, sizes_end, ndim = tuple_span(ops, at)
        at = sizes_end
        while names[at] in ("BINPUT", "LONG_BINPUT"):
            at += 1
        strides_start, strides_end, _ = tuple_span(ops, at)
        if ndim == 0:
            raise SystemExit("the first tensor is a scalar")
        side = 2 ** -(-40 // ndim)  # sides whose product is at least 2**40
        sizes = b"(" + b"".join(long1(side) for _ in range(ndim)) + b"t"
        strides = b"(" + b"K\x00" * ndim + b"t"
        # The strides come later in the file: splice them first so the sizes' offsets still hold.
        pickle = splice(pickle, ops[strides_start][1], ops[strides_end - 1][2], strides)
        return splice(pickle, ops[sizes_start][1], ops[sizes_end - 1][2], sizes)
    if kind == "memo_slot":
        _, start, end = next(op for op in ops if op[0] in ("BINPUT", "LONG_BINPUT"))
        return splice(pickle, start, end, b"r" + struct.pack("<I", 0xFFFFFFF0))
    if kind == "string_length":
        _, start, end = next(op for op in ops if op[0] == "BINUNICODE")
        return splice(pickle, start, start + 5, b"X" + struct.pack("<I", 0xFFFFFF00))
    if kind in ("unchanged", "record_size", "duplicate_name"):
        return pickle
    raise SystemExit("unknown archive kind " + kind)


def lie_about_size(archive, name, declared):
    """Sets the uncompressed size of record `name` in its local header and its directory entry."""
    data = bytearray(archive)
    info = zipfile.ZipFile(io.BytesIO(archive)).getinfo(name)
    struct.pack_into("<I", data, info.header_offset + 22, declared)
    at = data.find(b"PK\x01\x02")
    while at >= 0:
        (name_size,) = struct.unpack_from("<H", data, at + 28)
        if data[at + 46:at + 46 + name_size].decode() == name:
            struct.pack_into("<I", data, at + 24, declared)
        at = data.find(b"PK\x01\x02", at + 4)
    return bytes(data)


def archive(kind, source, out):
    original = zipfile.ZipFile(source)
    pickle_name = next(n for n in original.namelist() if n.endswith("/data.pkl"))
    storage0 = pickle_name[: -len(".pkl")] + "/0"
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as copy:
        for info in original.infolist():
            content = original.read(info.filename)
            if info.filename == pickle_name:
                content = patched_pickle(kind, content)
            deflate = info.compress_type == zipfile.ZIP_DEFLATED or (kind == "record_size" and info.filename == storage0)
            copy.writestr(info.filename, content, zipfile.ZIP_DEFLATED if deflate else zipfile.ZIP_STORED)
        if kind == "duplicate_name":
            warnings.simplefilter("ignore")  # zipfile warns of the duplicate, which is the point
            copy.writestr(pickle_name, patched_pickle("storage_count", original.read(pickle_name)))
    data = buffer.getvalue()
    if kind == "record_size":
        data = lie_about_size(data, storage0, 0x7FFFFFFF)
    with open(out, "wb") as file:
        file.write(data)


def script(kind, out, marker):
    import torch

    class Plain(torch.nn.Module):
        def __init__(self):
            super().__init__()
            self.conv = torch.nn.Conv2d(1, 8, 3, padding=1)
            self.marker = marker  # where a program would leave its trace

        def forward(self, x):
            return torch.relu(self.conv(x)).mean(dim=(2, 3))

    class Saver(Plain):
        def forward(self, x):
            torch.save(x, self.marker)
            return torch.relu(self.conv(x)).mean(dim=(2, 3))

    class Profiled(Plain):
        def forward(self, x):
            handle = torch.ops.profiler._record_function_enter("encoder", None)
            features = torch.relu(self.conv(x)).mean(dim=(2, 3))
            torch.ops.profiler._record_function_exit(handle)
            return features

    class SetState(torch.nn.Module):
        def __init__(self):
            super().__init__()
            self.weight = torch.nn.Parameter(torch.randn(8, 1))
            self.marker = marker

        def forward(self, x):
            return x.mean(dim=(2, 3)) @ self.weight.t()

        @torch.jit.export
        def __getstate__(self) -> Tuple[torch.Tensor, str, bool]:
            return (self.weight, self.marker, self.training)

        @torch.jit.export
        def __setstate__(self, state: Tuple[torch.Tensor, str, bool]):
            torch.save(state[0], state[1])
            self.weight = state[0]
            self.marker = state[1]
            self.training = state[2]

    torch.manual_seed(0)
    modules = {"plain": Plain, "saver": Saver, "profiler": Profiled, "setstate": SetState}
    torch.jit.script(modules[kind]().eval()).save(out)


def png(width, height, out):
    def chunk(kind, data):
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    with open(out, "wb") as file:
        file.write(b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(b"")) + chunk(b"IEND", b""))


def mat(count, out):
    """MATLAB 5: a 128-byte header, then miMATRIX elements X (uint8 32x32x3xcount) and y (double countx1)."""
    def element(kind, data):
        padded = data + b"\0" * (-len(data) % 8)
        return struct.pack("<II", kind, len(data)) + padded

    def matrix(name, array_class, dims, data_type, data):
        flags = element(6, struct.pack("<II", array_class, 0))       # miUINT32: class
        shape = element(5, struct.pack("<" + "i" * len(dims), *dims))  # miINT32: dimensions
        label = element(1, name.encode())                               # miINT8: the name
        return element(14, flags + shape + label + element(data_type, data))

    header = b"MATLAB 5.0 MAT-file, written by make_hostile_files.py".ljust(116, b" ") + b"\0" * 8 + b"\x00\x01IM"
    images = matrix("X", 9, [32, 32, 3, count], 2, bytes(32 * 32 * 3))  # mxUINT8_CLASS, miUINT8
    labels = matrix("y", 6, [count, 1], 9, struct.pack("<d", 1.0))      # mxDOUBLE_CLASS, miDOUBLE
    with open(out, "wb") as file:
        file.write(header + images + labels)


if __name__ == "__main__":
    what = sys.argv[1]
    if what == "archive":
        archive(sys.argv[2], sys.argv[3], sys.argv[4])
    elif what == "script":
        script(sys.argv[2], sys.argv[3], sys.argv[4])
    elif what == "png":
        png(int(sys.argv[2]), int(sys.argv[3]), sys.argv[4])
    elif what == "mat":
        mat(int(sys.argv[2]), sys.argv[3])
    else:
        raise SystemExit(__doc__)
