"""Independent IDX reader (gzip + numpy) for the C++ reader's tests: prints shape and checksums as JSON."""
import gzip
import json
import sys

import numpy as np


def read_idx(path):
    opener = gzip.open if path.endswith(".gz") else open
    with opener(path, "rb") as f:
        raw = f.read()
    dims = raw[3]
    shape = [int.from_bytes(raw[4 + 4 * i: 8 + 4 * i], "big") for i in range(dims)]
    data = np.frombuffer(raw, dtype=np.uint8, offset=4 + 4 * dims)
    return data.reshape(shape)


array = read_idx(sys.argv[1])
flat = array.reshape(array.shape[0], -1).astype(np.int64)
print(json.dumps({
    "shape": list(array.shape),
    "sum": int(flat.sum()),
    "first_row_sum": int(flat[0].sum()),
    "last_row_sum": int(flat[-1].sum()),
    "first_values": [int(v) for v in flat[:, 0][:16]],
}))
