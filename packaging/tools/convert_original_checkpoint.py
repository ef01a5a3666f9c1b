#!/usr/bin/env python3
"""Convert a checkpoint of the original TaU repository for TaU Explorer.

The original (github.com/mhw32/temperature-as-uncertainty-public) saves PyTorch Lightning .ckpt files whose
"state_dict" holds its model under "model." (the MoCo key encoder under "model_k.", the queues beside it).
This writes the model's tensors as a plain dict, renamed to TaU Explorer's parameter names, with torch.save;
`tau import` reads it (torch::pickle_load) together with the run's config.json:

    /usr/bin/python3 packaging/tools/convert_original_checkpoint.py \\
        experiments/tau_simclr_seed1/checkpoints/epoch=199-step=77999.ckpt -o tau_simclr_seed1.pt
    tau import tau_simclr_seed1.pt --config experiments/tau_simclr_seed1/config.json --dataset cifar10

Needs only Debian's python3-torch. Reading runs none of the file's code: it unpickles with an allow-list
(tensor and parameter rebuilding, OrderedDict, plain containers and numbers), and every other name the file
refers to (the DotMap of its hyper-parameters, and anything a hostile file might name, such as os.system)
becomes an inert placeholder, named on stderr, since only the tensors are used. Nor does it allocate what the
file only declares: record sizes, string lengths, memo slots, storages and tensors are checked against the
bytes behind them and against the memory available (MemAvailable + SwapFree, capped by TAU_MAX_MEMORY as for
tau) before anything is made from them.
"""
import argparse
import io
import math
import os
import pickle
import re
import sys
import zipfile

import torch

# The original's ResNet keeps torchvision's children minus fc in one Sequential ("features"):
# 0 conv1, 1 bn1, 2 relu, 3 maxpool (Identity with the 3x3 stem), 4-7 layer1-4, 8 avgpool.
FEATURE_CHILDREN = {"0": "conv1", "1": "bn1", "4": "layer1", "5": "layer2", "6": "layer3", "7": "layer4"}


# What a checkpoint may name and have called while it is read: the rebuild functions of tensors and parameters,
# OrderedDict and the plain builtins pickle needs for containers, numbers and bytes (storage types are mapped to
# their element types below). Nothing else is imported or called: a .ckpt is someone else's file.
_ALLOWED = {
    ("collections", "OrderedDict"): lambda: __import__("collections").OrderedDict,
    ("torch._utils", "_rebuild_tensor"): lambda: _inside_storage(torch._utils._rebuild_tensor),
    ("torch._utils", "_rebuild_tensor_v2"): lambda: _inside_storage(torch._utils._rebuild_tensor_v2),
    ("torch._utils", "_rebuild_parameter"): lambda: torch._utils._rebuild_parameter,
    ("torch", "Size"): lambda: torch.Size,
    ("builtins", "set"): lambda: set,
    ("builtins", "frozenset"): lambda: frozenset,
    ("builtins", "complex"): lambda: complex,
    ("builtins", "slice"): lambda: slice,
    ("builtins", "bytearray"): lambda: bytearray,
    ("_codecs", "encode"): lambda: __import__("_codecs").encode,  # how protocol 2 writes bytes
}


def _inside_storage(rebuild):
    """torch's rebuild function, called only for a view (storage, offset, sizes, strides, ...) inside its storage."""
    def checked(storage, offset, sizes, strides, *rest):
        counts = [offset, *sizes, *strides]
        if len(sizes) != len(strides) or not all(isinstance(n, int) and n >= 0 for n in counts):
            raise pickle.UnpicklingError(f"a tensor of sizes {sizes!r:.80} and strides {strides!r:.80} at offset "
                                         f"{offset!r:.20}: not counts")
        last = offset + sum((size - 1) * stride for size, stride in zip(sizes, strides))
        if 0 not in sizes and last >= len(storage):
            raise pickle.UnpicklingError(f"a tensor of shape {list(sizes)} at offset {offset} reaches past the "
                                         f"{len(storage)} elements of its storage")
        return rebuild(storage, offset, sizes, strides, *rest)
    return checked


class _Refused:
    """What every other name in the file becomes: an inert object. The file's arguments, items and state are
    taken and dropped; no constructor, __setstate__ or module of the file's choosing ever runs."""

    def __new__(cls, *args, **kwargs):
        return object.__new__(cls)

    def __init__(self, *args, **kwargs):
        pass

    def __setstate__(self, state):
        pass

    def __setitem__(self, key, value):  # a dict subclass's items (DotMap, AttributeDict)
        pass

    def append(self, item):  # a list subclass's items
        pass

    def extend(self, items):
        pass


# The element type of each storage a checkpoint may declare (torch.save's names for them).
_STORAGE_TYPES = {
    "FloatStorage": torch.float32, "DoubleStorage": torch.float64, "HalfStorage": torch.float16,
    "BFloat16Storage": torch.bfloat16, "LongStorage": torch.int64, "IntStorage": torch.int32,
    "ShortStorage": torch.int16, "CharStorage": torch.int8, "ByteStorage": torch.uint8, "BoolStorage": torch.bool,
}


class _StorageKind:
    def __init__(self, dtype):
        self.dtype = dtype


# The opcodes one pickle may run: 2^22, as tau's own audit of a pickle allows values.
_MOST_OPCODES = 1 << 22
# The largest pickle read: a checkpoint's is kilobytes to a few megabytes (its tensors are records of their own).
_LARGEST_PICKLE = 64 << 20
# Deflate cannot inflate one byte to more than 1032 (RFC 1951's longest match per shortest code).
_DEFLATE_LIMIT = 1032


def memory_budget():
    """The bytes this process may take, as tau reckons them: MemAvailable + SwapFree, capped by TAU_MAX_MEMORY
    ("512M", "8G", a byte count)."""
    budget = None
    try:
        with open("/proc/meminfo") as meminfo:
            fields = dict(line.split(":", 1) for line in meminfo if ":" in line)
        budget = sum(int(fields[key].split()[0]) * 1024 for key in ("MemAvailable", "SwapFree"))
    except (OSError, KeyError, ValueError):
        budget = os.sysconf("SC_PHYS_PAGES") * os.sysconf("SC_PAGE_SIZE")
    cap = re.fullmatch(r"\s*([0-9.]+)\s*([KMGT]?)\S*\s*", os.environ.get("TAU_MAX_MEMORY", ""), re.IGNORECASE)
    if cap and float(cap.group(1)) > 0:
        scale = 1024 ** " KMGT".index((cap.group(2) or " ").upper())
        budget = min(budget, int(float(cap.group(1)) * scale))
    return budget


def size_text(count):
    for unit in ("bytes", "KiB", "MiB", "GiB", "TiB", "PiB"):
        if count < 1024 or unit == "PiB":
            return f"{count:.0f} {unit}" if unit == "bytes" else f"{count:.1f} {unit}"
        count /= 1024


def require_memory(needed, what):
    budget = memory_budget()
    if needed > budget:
        capped = " (TAU_MAX_MEMORY)" if os.environ.get("TAU_MAX_MEMORY") else ""
        raise ValueError(f"{what} needs {size_text(needed)}, more than the {size_text(budget)} of memory "
                         f"available{capped}; the file is damaged or crafted, or too large for this machine")


class _ExactReader(io.BytesIO):
    """The pickle's bytes; a read of more than remain is an error, not a short read (a string that declares
    4 GB must not be taken for a truncated one)."""

    def read(self, size=-1):
        data = super().read(size)
        if size is not None and 0 <= size != len(data):
            raise pickle.UnpicklingError(f"at byte {self.tell() - len(data)} the pickle declares {size} bytes, "
                                         f"but only {len(data)} remain")
        return data


class _SafeUnpickler(pickle._Unpickler):  # pylint: disable=protected-access
    """Resolves only _ALLOWED names and storage types; names every other one it turned into a _Refused.

    Python's own unpickler, not the C one, which grows its memo to twice any slot a file names (one opcode naming
    slot 2^31 takes 32 GB); here the memo is a dict, and its slots must be filled in order, as every pickler
    writes them. A pickle may run at most _MOST_OPCODES opcodes (a checkpoint's runs thousands), so the objects it
    builds stay within a few hundred MB; and BYTEARRAY8 reads its bytes before making its bytearray."""

    def __init__(self, file, refused):
        super().__init__(file)
        self.refused = refused
        self.opcodes = 0
        self.dispatch = {code: _SafeUnpickler._counted(load)
                         for code, load in pickle._Unpickler.dispatch.items()}  # pylint: disable=protected-access
        for opcode in (pickle.BINPUT, pickle.LONG_BINPUT, pickle.PUT):
            self.dispatch[opcode[0]] = _SafeUnpickler._counted(_SafeUnpickler._checked_put(self.dispatch[opcode[0]]))
        self.dispatch[pickle.BYTEARRAY8[0]] = _SafeUnpickler._counted(_SafeUnpickler._load_bytearray8)

    @staticmethod
    def _counted(load):
        def counted(unpickler):
            unpickler.opcodes += 1
            if unpickler.opcodes > _MOST_OPCODES:
                raise pickle.UnpicklingError(f"the pickle runs more than {_MOST_OPCODES} opcodes, more than any "
                                             f"checkpoint holds")
            load(unpickler)
        return counted

    @staticmethod
    def _checked_put(put):
        def checked(unpickler):
            before = len(unpickler.memo)
            put(unpickler)
            if len(unpickler.memo) > before and before not in unpickler.memo:
                raise pickle.UnpicklingError(f"the pickle names memo slot {max(unpickler.memo)} before slot {before}")
        return checked

    def _load_bytearray8(self):
        size = int.from_bytes(self.read(8), "little")
        self.append(bytearray(self.read(size)))  # the read fails if fewer bytes remain; Python's allocates first

    def find_class(self, module, name):
        allowed = _ALLOWED.get((module, name))
        if allowed is not None:
            return allowed()
        if module == "torch" and name in _STORAGE_TYPES:
            return _StorageKind(_STORAGE_TYPES[name])
        qualified = f"{module}.{name}"
        if qualified not in self.refused:
            self.refused.append(qualified)
        return type(f"Refused({qualified})", (_Refused,), {})


def read_checkpoint(path, refused):
    """The object a torch.save (zip format) file holds, read without torch.load: its pickle_module argument is
    not honoured by every PyTorch (1.13 replaces it with pickle), so the unpickling is done here. Every storage's
    declared size is checked against its record before any tensor is made."""
    if not zipfile.is_zipfile(path):
        raise ValueError("not a zip archive: a truncated file, or a torch.save of PyTorch before 1.6 (load and "
                         "save that again where its source is trusted)")
    with zipfile.ZipFile(path) as archive:
        check_records(archive)
        pickles = [name for name in archive.namelist() if name.endswith("data.pkl")]
        if len(pickles) != 1:
            raise ValueError(f"expected one data.pkl in the archive, found {len(pickles)}")
        if archive.getinfo(pickles[0]).file_size > _LARGEST_PICKLE:
            raise ValueError(f"record {pickles[0]} is {size_text(archive.getinfo(pickles[0]).file_size)}, larger "
                             f"than any checkpoint's pickle")
        prefix = pickles[0][: -len("data.pkl")]
        storages = {}

        def persistent_load(saved_id):
            if not (isinstance(saved_id, tuple) and len(saved_id) == 5 and saved_id[0] == "storage"
                    and isinstance(saved_id[1], _StorageKind)):
                raise pickle.UnpicklingError(f"unexpected persistent id {saved_id!r:.80}")
            _, kind, key, _location, count = saved_id
            if key not in storages:
                record = f"{prefix}data/{key}"
                try:
                    size = archive.getinfo(record).file_size
                except KeyError:
                    raise pickle.UnpicklingError(f"storage {key!r} has no record {record}") from None
                itemsize = torch.empty((), dtype=kind.dtype).element_size()
                if not isinstance(count, int) or count < 0 or count * itemsize != size:
                    raise pickle.UnpicklingError(f"storage {key!r} declares {count!r} elements of "
                                                 f"{itemsize} bytes, but its record holds {size} bytes")
                data = bytearray(archive.read(record)) if size else bytearray(itemsize)
                storages[key] = torch.frombuffer(data, dtype=kind.dtype)[:count].storage()
            return storages[key]

        unpickler = _SafeUnpickler(_ExactReader(archive.read(pickles[0])), refused)
        unpickler.persistent_load = persistent_load
        return unpickler.load()


def check_records(archive):
    """Every record's declared size is one its stored bytes can hold, and all of them fit in memory together,
    before any is read: zipfile allocates from the declared size."""
    total = 0
    for info in archive.infolist():
        most = info.compress_size * (_DEFLATE_LIMIT if info.compress_type == zipfile.ZIP_DEFLATED else 1)
        if info.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED) or info.file_size > most:
            raise ValueError(f"record {info.filename} declares {info.file_size} bytes from {info.compress_size} "
                             f"stored bytes, more than {'deflate' if most > info.compress_size else 'storing'} "
                             f"can hold")
        total += info.file_size
    require_memory(total, "its records")


def check_tensor_sizes(tensors):
    """A view may repeat its storage's elements (stride 0): a small storage can declare a tensor whose copy is
    terabytes. The copies made here must fit in memory."""
    total = sum(math.prod(tensor.shape) * tensor.element_size() for tensor in tensors.values())
    if tensors:
        name, largest = max(tensors.items(), key=lambda item: math.prod(item[1].shape) * item[1].element_size())
        require_memory(total, f"copying its tensors (the largest, {name}, of shape {list(largest.shape)})")


def our_name(name, has_final_bn):
    """The parameter's name in TaU Explorer, or None for what the original saves beside the model."""
    match = re.match(r"features\.(\d+)\.(.*)", name)
    if match:
        child = FEATURE_CHILDREN.get(match.group(1))
        if child is None:
            raise ValueError(f"unexpected tensor {name!r}: features.{match.group(1)} has no parameters in a ResNet")
        return f"encoder.{child}.{match.group(2)}"
    if name.startswith("l1."):
        return "head.layers.0." + name[3:]
    if name.startswith("bn."):
        return "head.layers.1." + name[3:]
    if name.startswith("l2."):  # after Linear, (BatchNorm1d,) ReLU
        return ("head.layers.3." if has_final_bn else "head.layers.2.") + name[3:]
    # SupResNet (the supervised baseline) wraps a whole torchvision ResNet as "resnet".
    if name.startswith("resnet.fc."):
        return "classifier." + name[len("resnet.fc."):]
    if name.startswith("resnet."):
        return "encoder." + name[len("resnet."):]
    raise ValueError(f"unexpected tensor {name!r}: not a parameter of the original's ResNet or SupResNet")


def convert(state_dict):
    model = {k[len("model."):]: v for k, v in state_dict.items() if k.startswith("model.")}
    if not model:
        raise ValueError("no tensors under 'model.': is this a checkpoint of the original repository?")
    strangers = [k for k, v in model.items() if not isinstance(v, torch.Tensor)]
    if strangers:
        raise ValueError(f"model.{strangers[0]} is not a tensor")
    check_tensor_sizes(model)
    has_final_bn = any(k.startswith("bn.") for k in model)
    return {our_name(k, has_final_bn): v.detach().clone().contiguous() for k, v in model.items()}


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("checkpoint", help="the original's .ckpt (PyTorch Lightning)")
    parser.add_argument("-o", "--output", required=True, help="the converted file to write (.pt)")
    args = parser.parse_args()
    try:
        refused = []
        checkpoint = read_checkpoint(args.checkpoint, refused)
    except Exception as error:  # a truncated or foreign file: say which and why
        sys.exit(f"{args.checkpoint}: cannot read it as a torch checkpoint ({error})")
    state_dict = checkpoint.get("state_dict", checkpoint) if isinstance(checkpoint, dict) else None
    if not isinstance(state_dict, dict):
        sys.exit(f"{args.checkpoint}: expected a dict with a 'state_dict' (a PyTorch Lightning checkpoint)")
    try:
        tensors = convert(state_dict)
    except ValueError as error:
        sys.exit(f"{args.checkpoint}: {error}")
    if refused:
        print(f"{args.checkpoint}: read as inert placeholders, not imported or run: "
              + ", ".join(refused) + " (only tensors are converted)", file=sys.stderr)
    skipped = len(state_dict) - sum(1 for k in state_dict if k.startswith("model."))
    torch.save(dict(tensors), args.output)  # a plain dict: the C++ unpickler does not take OrderedDict
    print(f"wrote {args.output}: {len(tensors)} tensors"
          + (f"; left out {skipped} that are not the model (MoCo key encoder, queues)" if skipped else ""))


if __name__ == "__main__":
    main()
