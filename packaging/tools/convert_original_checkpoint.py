#!/usr/bin/env python3
"""Convert a checkpoint of the original TaU repository for TaU Explorer.

The original (github.com/mhw32/temperature-as-uncertainty-public) saves PyTorch Lightning .ckpt files whose
"state_dict" holds its model under "model." (the MoCo key encoder under "model_k.", the queues beside it).
This writes the model's tensors as a plain dict, renamed to TaU Explorer's parameter names, with torch.save;
`tau import` reads it (torch::pickle_load) together with the run's config.json:

    /usr/bin/python3 packaging/tools/convert_original_checkpoint.py \\
        experiments/tau_simclr_seed1/checkpoints/epoch=199-step=77999.ckpt -o tau_simclr_seed1.pt
    tau import tau_simclr_seed1.pt --config experiments/tau_simclr_seed1/config.json --dataset cifar10

Needs only Debian's python3-torch: classes the checkpoint pickled for its hyper-parameters (DotMap, ...)
are read as placeholders, since only the tensors are used.
"""
import argparse
import pickle
import re
import sys

import torch

# The original's ResNet keeps torchvision's children minus fc in one Sequential ("features"):
# 0 conv1, 1 bn1, 2 relu, 3 maxpool (Identity with the 3x3 stem), 4-7 layer1-4, 8 avgpool.
FEATURE_CHILDREN = {"0": "conv1", "1": "bn1", "4": "layer1", "5": "layer2", "6": "layer3", "7": "layer4"}


class _Placeholder:
    """Stands in for any class the checkpoint's metadata refers to but this machine lacks."""

    def __init__(self, *args, **kwargs):
        pass

    def __setstate__(self, state):
        self.state = state


class _LenientUnpickler(pickle.Unpickler):
    def find_class(self, module, name):
        try:
            return super().find_class(module, name)
        except (ImportError, AttributeError):
            return _Placeholder


class _LenientPickle:
    Unpickler = _LenientUnpickler
    load = pickle.load
    __name__ = "lenient_pickle"


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
        checkpoint = torch.load(args.checkpoint, map_location="cpu", pickle_module=_LenientPickle)
    except Exception as error:  # a truncated or foreign file: say which and why
        sys.exit(f"{args.checkpoint}: cannot read it as a torch checkpoint ({error})")
    state_dict = checkpoint.get("state_dict", checkpoint) if isinstance(checkpoint, dict) else None
    if not isinstance(state_dict, dict):
        sys.exit(f"{args.checkpoint}: expected a dict with a 'state_dict' (a PyTorch Lightning checkpoint)")
    try:
        tensors = convert(state_dict)
    except ValueError as error:
        sys.exit(f"{args.checkpoint}: {error}")
    skipped = len(state_dict) - sum(1 for k in state_dict if k.startswith("model."))
    torch.save(dict(tensors), args.output)  # a plain dict: the C++ unpickler does not take OrderedDict
    print(f"wrote {args.output}: {len(tensors)} tensors"
          + (f"; left out {skipped} that are not the model (MoCo key encoder, queues)" if skipped else ""))


if __name__ == "__main__":
    main()
