"""Prints numpy's linear-interpolation percentiles of the numbers in a file (one per line) at the given levels."""
import sys

import numpy as np

values = np.loadtxt(sys.argv[1])
for level in sys.argv[2:]:
    print(repr(float(np.percentile(values, float(level)))))
