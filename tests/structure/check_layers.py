#!/usr/bin/env python3
"""Every arrow points down: a folder of core/ includes only itself and the folders on the floors below it.

usage: check_layers.py SOURCE_DIR
Prints each upward include as FILE:LINE: core/<from> -> core/<to> and exits 1 when there is one.
"""
import re
import sys
from pathlib import Path

# core's floors, bottom first. A folder may include its own files and those of any folder before it.
FLOORS = [
    "common",       # errors, devices, cancellation, observers: needs nothing
    "schema",       # ExperimentConfig: what a config is
    "io",           # run folders, metrics.jsonl, eval-folder files, archives, durable writes
    "distributed",  # c10d: the communicator, gradient buckets
    "data",         # datasets and their readers, views, batches
    "methods",      # the catalogue of systems and scores (rows, no code above it)
    "objectives",   # the losses, pure functions of tensors
    "models",       # encoders and heads
    "config",       # reading and checking configs against the catalogue and the datasets
    "training",     # the loop, objectives (systems), checkpoints, schedules
    "evaluation",   # the model pass, scores, OOD evaluation, kNN/linear, training monitors
    "runs",         # the run index: what a runs folder holds and what each run is now
]
INCLUDE = re.compile(r'^\s*#\s*include\s+"core/([A-Za-z_]+)/')


def floor_of(folder):
    return FLOORS.index(folder) if folder in FLOORS else None


def main():
    core = Path(sys.argv[1]).resolve() / "core"
    problems = []
    unknown = set()
    for path in sorted(core.rglob("*")):
        if path.suffix not in (".h", ".cpp"):
            continue
        source = path.relative_to(core).parts[0]
        if floor_of(source) is None:
            unknown.add(source)
            continue
        for number, line in enumerate(path.read_text(errors="replace").splitlines(), 1):
            match = INCLUDE.match(line)
            if not match:
                continue
            target = match.group(1)
            if floor_of(target) is None:
                unknown.add(target)
            elif floor_of(target) > floor_of(source):
                problems.append(f"core/{path.relative_to(core)}:{number}: core/{source} -> core/{target} (up)")
    for folder in sorted(unknown):
        problems.append(f"core/{folder}: a folder on no floor; give it one in {Path(__file__).name}")
    for problem in problems:
        print(problem)
    print(f"{len(problems)} upward include(s)" if problems else f"every include of core/ points down ({len(FLOORS)} floors)")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
