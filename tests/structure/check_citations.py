#!/usr/bin/env python3
"""The repository stands alone: every file path that its code, scripts and documents cite exists in it, and nothing
names a file outside it (a clone has no sibling folders).

usage: check_citations.py SOURCE_DIR
Prints each dangling citation as FILE:LINE: PATH and exits 1 when there is one.
"""
import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(sys.argv[1]).resolve()
TOP_FOLDERS = "core|app|widgets|tests|docs|cmake|bench|configs|packaging|tools|\\.ci"
# A path into the repository: a top folder, then path characters; it ends on a word character.
# After "=" it is a value being set (an output to write), not a citation.
CITED = re.compile(r"(?<![\w/.$=-])((?:%s)/[\w./+-]*\w)" % TOP_FOLDERS)
# Files the repository never has, and places outside it.
OUTSIDE = re.compile(r"\.\./shared|\bMETHOD\.md\b|\bARCHITECTURE\.md\b|/work/")
# The one place allowed to look outside: CI machines keep the MNIST tarball in a data folder beside the checkout,
# and .ci/run passes it on when it is there (a clone without it downloads or is told how to give it).
LOOKS_OUTSIDE = {".ci/run"}
# Where a citation is a pattern, not a file: <name>, *, {h,cpp}, $VAR, ...
PATTERN = re.compile(r"[<>*{}$]")
TEXT = (".md", ".h", ".cpp", ".py", ".sh", ".cmake", ".txt", ".yaml", ".in")


def tracked_files():
    """The files git tracks; in a source tree without git, every file outside build folders."""
    listing = subprocess.run(["git", "-C", str(ROOT), "ls-files"], capture_output=True, text=True)
    if listing.returncode == 0 and listing.stdout:
        names = listing.stdout.splitlines()
    else:
        names = [str(p.relative_to(ROOT)) for p in ROOT.rglob("*")
                 if p.is_file() and not p.relative_to(ROOT).parts[0].startswith(("build", ".git"))]
    for name in names:
        if name.endswith(TEXT) or Path(name).name in ("tau", "run"):
            yield name


def exists(path, citing):
    """Cited from the root, or from the citing file's folder (tests/CMakeLists.txt names tests/core/...), or as a
    test data file (dataPath("configs/tiny.yaml")); a name without its extension is a build target or a stem."""
    for base in (ROOT, (ROOT / citing).parent, ROOT / "tests" / "data"):
        candidate = base / path
        if candidate.exists() or any(candidate.parent.glob(candidate.name + ".*")):
            return True
    return False


def main():
    problems = []
    for name in tracked_files():
        if name.startswith("tests/structure/"):
            continue  # this checker's own patterns
        text = (ROOT / name).read_text(errors="replace")
        for number, line in enumerate(text.splitlines(), 1):
            if OUTSIDE.search(line) and name not in LOOKS_OUTSIDE:
                problems.append(f"{name}:{number}: names a file outside the repository: {line.strip()}")
            for match in CITED.finditer(line):
                cited = match.group(1)
                tail = line[match.end():match.end() + 1]
                if PATTERN.search(cited) or (tail and tail in "<*{") or line[match.end():].startswith(".{"):
                    continue
                if not exists(cited, name):
                    problems.append(f"{name}:{number}: {cited}")
    for problem in problems:
        print(problem)
    print(f"{len(problems)} dangling citation(s)" if problems else "every cited path is in the repository")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
