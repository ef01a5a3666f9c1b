"""Exit 0 when a PDF's content streams draw vector paths (m and l operators), 1 otherwise."""
import re
import sys
import zlib

data = open(sys.argv[1], "rb").read()
if not data.startswith(b"%PDF-"):
    sys.exit("not a PDF")
paths = 0
for match in re.finditer(rb"stream\r?\n(.*?)\r?\nendstream", data, re.S):
    raw = match.group(1)
    try:
        raw = zlib.decompress(raw)
    except zlib.error:
        pass
    paths += len(re.findall(rb"[\d.]+ [\d.]+ m\b", raw)) + len(re.findall(rb"[\d.]+ [\d.]+ l\b", raw))
print(paths)
sys.exit(0 if paths > 10 else 1)
