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
becomes an inert placeholder, named on stderr, since only the tensors are used.
"""
import argparse
import io
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
    ("torch._utils", "_rebuild_tensor"): lambda: torch._utils._rebuild_tensor,
    ("torch._utils", "_rebuild_tensor_v2"): lambda: torch._utils._rebuild_tensor_v2,
    ("torch._utils", "_rebuild_parameter"): lambda: torch._utils._rebuild_parameter,
    ("torch", "Size"): lambda: torch.Size,
    ("builtins", "set"): lambda: set,
    ("builtins", "frozenset"): lambda: frozenset,
    ("builtins", "complex"): lambda: complex,
    ("builtins", "slice"): lambda: slice,
    ("builtins", "bytearray"): lambda: bytearray,
    ("_codecs", "encode"): lambda: __import__("_codecs").encode,  # how protocol 2 writes bytes
}


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


class _SafeUnpickler(pickle.Unpickler):
    """Resolves only _ALLOWED names and storage types; names every other one it turned into a _Refused."""

    def __init__(self, file, refused):
        super().__init__(file)
        self.refused = refused

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
        pickles = [name for name in archive.namelist() if name.endswith("data.pkl")]
        if len(pickles) != 1:
            raise ValueError(f"expected one data.pkl in the archive, found {len(pickles)}")
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

        unpickler = _SafeUnpickler(io.BytesIO(archive.read(pickles[0])), refused)
        unpickler.persistent_load = persistent_load
        return unpickler.load()


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
