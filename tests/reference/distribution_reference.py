"""numpy's percentiles and histogram for the C++ distribution summary's tests."""
import json
import sys

import numpy as np

spec = json.load(open(sys.argv[1]))
values = np.asarray(spec["values"], dtype=np.float64)
counts, edges = np.histogram(values, bins=spec["bins"], range=(spec["low"], spec["high"]))
# Without a range numpy spans the values themselves: what the trainer's histogram of r does.
fitted_counts, fitted_edges = np.histogram(values, bins=spec["bins"])
print(json.dumps({
    "percentiles": [float(np.percentile(values, q)) for q in (5, 25, 50, 75, 95)],
    "mean": float(values.mean()),
    "counts": [int(c) for c in counts],
    "edges": [float(e) for e in edges],
    "below": int((values < spec["low"]).sum()),
    "above": int((values > spec["high"]).sum()),
    "fitted_counts": [int(c) for c in fitted_counts],
    "fitted_edges": [float(e) for e in fitted_edges],
}))
