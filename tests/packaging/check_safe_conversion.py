"""Converting someone else's checkpoint runs none of its code (packaging/tools/convert_original_checkpoint.py).

usage: check_safe_conversion.py CONVERTER
Writes three Lightning-layout checkpoints into a scratch folder, with modules on the converter's PYTHONPATH
that leave a marker file when they are imported or run:
  - a real one: hyper-parameters in a DotMap-style dict subclass from a module the converter must not import;
  - one whose metadata pickles os.system with a command that would create a file;
  - one that names a class in a module whose import would create a file.
Each must convert (the tensors intact), leave no marker, and name on stderr what it read as a placeholder.
Then a checkpoint whose storage record is shorter than its pickle declares, and a truncated one, are refused
with a message naming the file, before any tensor is made. Last, copies of a real checkpoint that declare more
than they hold (tests/reference/make_hostile_files.py: every CRC right, one declaration wrong: a storage of 2^40
elements, a view past its storage, a view of 2^40 elements repeating one, memo slot 0xFFFFFFF0, a string of
0xFFFFFF00 bytes, a record declaring 2 GiB, a second data.pkl) are refused by name with the converter held to
1 GiB of data (RLIMIT_DATA), so an allocation from a declaration fails the test instead of the machine; and the
real file is refused under a TAU_MAX_MEMORY smaller than it.
"""
import os
import resource
import subprocess
import sys
import tempfile
import zipfile

import torch

MODULES = {
    # A DotMap-like hyper-parameter container: importing it marks that the converter imported the file's module.
    "dotmap_like.py": "import pathlib, os\n"
                      "pathlib.Path(os.environ['MARKERS'], 'dotmap_imported').touch()\n"
                      "class DotMap(dict):\n"
                      "    def __setstate__(self, state):\n"
                      "        pathlib.Path(os.environ['MARKERS'], 'dotmap_setstate').touch()\n",
    "evil_import.py": "import pathlib, os\n"
                      "pathlib.Path(os.environ['MARKERS'], 'evil_imported').touch()\n"
                      "class Payload:\n"
                      "    def __init__(self, *args):\n"
                      "        pathlib.Path(os.environ['MARKERS'], 'evil_constructed').touch()\n",
}


class RunsACommand:
    def __init__(self, command):
        self.command = command

    def __reduce__(self):
        return os.system, (self.command,)


def state_dict():
    torch.manual_seed(3)
    return {"model.l1.weight": torch.randn(8, 4), "model.l1.bias": torch.randn(8),
            "model.l2.weight": torch.randn(2, 8), "model.l2.bias": torch.randn(2)}


def check(converter, folder, markers, name, metadata, refused):
    path = os.path.join(folder, name + ".ckpt")
    tensors = state_dict()
    torch.save({"state_dict": tensors, "epoch": 199, "hyper_parameters": metadata}, path)
    out = os.path.join(folder, name + ".pt")
    env = dict(os.environ, PYTHONPATH=folder, MARKERS=markers)
    done = subprocess.run([sys.executable, converter, path, "-o", out], capture_output=True, text=True, env=env)
    assert done.returncode == 0, f"{name}: the conversion failed:\n{done.stderr}"
    left = sorted(os.listdir(markers))
    assert not left, f"{name}: the file's code ran during conversion: {left}"
    for qualified in refused:
        assert qualified in done.stderr, f"{name}: stderr does not name {qualified}:\n{done.stderr}"
    converted = torch.load(out)
    expected = {"head.layers.0.weight": tensors["model.l1.weight"], "head.layers.0.bias": tensors["model.l1.bias"],
                "head.layers.2.weight": tensors["model.l2.weight"], "head.layers.2.bias": tensors["model.l2.bias"]}
    assert sorted(converted) == sorted(expected), f"{name}: converted {sorted(converted)}"
    for key, value in expected.items():
        assert torch.equal(converted[key], value), f"{name}: {key} changed in conversion"
    print(f"{name}: converted, nothing ran; refused {', '.join(refused)}")


def main():
    converter = sys.argv[1]
    with tempfile.TemporaryDirectory() as folder, tempfile.TemporaryDirectory() as markers:
        for file, source in MODULES.items():
            with open(os.path.join(folder, file), "w") as out:
                out.write(source)
        sys.path.insert(0, folder)
        os.environ["MARKERS"] = markers
        import dotmap_like  # noqa: E402 (written above)
        import evil_import  # noqa: E402
        os.remove(os.path.join(markers, "dotmap_imported"))  # our own imports, to pickle with
        os.remove(os.path.join(markers, "evil_imported"))

        hparams = dotmap_like.DotMap(exp_name="tau_simclr", optimizer=dotmap_like.DotMap(learning_rate=1e-4))
        hparams.note = "state"  # a __dict__ too: pickled with BUILD, so __setstate__ would be called
        check(converter, folder, markers, "dotmap", {"hparams": hparams}, ["dotmap_like.DotMap"])

        command = f"touch {os.path.join(markers, 'system_ran')}"
        check(converter, folder, markers, "system", {"callback": RunsACommand(command)}, [f"{os.system.__module__}.system"])

        payload = evil_import.Payload()
        os.remove(os.path.join(markers, "evil_constructed"))  # ours, to pickle; the converter must not make one
        check(converter, folder, markers, "import", {"payload": payload}, ["evil_import.Payload"])

        # The declared sizes are checked against the file: a record cut short, then a file cut in half.
        whole = os.path.join(folder, "import.ckpt")
        short = os.path.join(folder, "short.ckpt")
        with zipfile.ZipFile(whole) as source, zipfile.ZipFile(short, "w") as target:
            for info in source.infolist():
                data = source.read(info)
                target.writestr(info, data[:8] if "/data/" in info.filename else data)
        truncated = os.path.join(folder, "truncated.ckpt")
        with open(whole, "rb") as source, open(truncated, "wb") as target:
            target.write(source.read()[:1000])
        for path, expected in [(short, "elements of 4 bytes, but its record holds 8 bytes"),
                               (truncated, "not a zip archive")]:
            done = subprocess.run([sys.executable, converter, path, "-o", path + ".pt"], capture_output=True, text=True)
            assert done.returncode == 1 and path in done.stderr and expected in done.stderr, \
                f"{path}: exit {done.returncode}, stderr:\n{done.stderr}"
            assert not os.path.exists(path + ".pt"), f"{path}: an output was written"
            print(f"{os.path.basename(path)}: refused ({expected})")

        check_declarations(converter, folder, os.path.join(folder, "dotmap.ckpt"))


# What the converter says of each copy made by make_hostile_files.py; None: the control converts.
HOSTILE = {
    "unchanged": None,
    "storage_count": "storage '0' declares 1099511627776 elements",
    "tensor_view": "reaches past the 32 elements of its storage",
    "expanded_view": "copying its tensors (the largest, l1.weight, of shape [1048576, 1048576]) needs 4.0 TiB",
    "memo_slot": "names memo slot 4294967280 before slot",
    "string_length": "declares 4294967040 bytes, but only",
    "record_size": "declares 2147483647 bytes from",
    "duplicate_name": "expected one data.pkl in the archive, found 2",
}


def held_to_one_gib():
    resource.setrlimit(resource.RLIMIT_DATA, (1 << 30, 1 << 30))


def convert_held(converter, path, environment=None):
    return subprocess.run([sys.executable, converter, path, "-o", path + ".pt"], capture_output=True, text=True,
                          preexec_fn=held_to_one_gib, env=environment)


def check_declarations(converter, folder, real):
    maker = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "reference", "make_hostile_files.py")
    for kind, expected in HOSTILE.items():
        hostile = os.path.join(folder, f"hostile_{kind}.ckpt")
        subprocess.run([sys.executable, maker, "archive", kind, real, hostile], check=True)
        done = convert_held(converter, hostile)
        if expected is None:
            assert done.returncode == 0, f"{kind}: the control did not convert:\n{done.stderr}"
            assert os.path.exists(hostile + ".pt"), f"{kind}: no output"
        else:
            assert done.returncode == 1 and done.stderr.startswith(hostile + ": ") and expected in done.stderr, \
                f"{kind}: exit {done.returncode}, stderr:\n{done.stderr}"
            assert not os.path.exists(hostile + ".pt"), f"{kind}: an output was written"
        print(f"{kind}: " + ("converted" if expected is None else f"refused ({expected})"))
    done = convert_held(converter, real, dict(os.environ, TAU_MAX_MEMORY="64"))
    assert done.returncode == 1 and "more than the 64 bytes of memory available (TAU_MAX_MEMORY)" in done.stderr, \
        f"TAU_MAX_MEMORY=64: exit {done.returncode}, stderr:\n{done.stderr}"
    print("TAU_MAX_MEMORY=64: refused")


main()
