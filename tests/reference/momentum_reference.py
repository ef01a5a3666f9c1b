"""MoCo's key encoder, from its definition (He et al. 2020, Algorithm 1): the key encoder starts as a copy of the
query encoder and, before the keys of each batch are computed, moves to m * key + (1 - m) * query.

usage: momentum_reference.py IN.json OUT.json
IN: {"momentum": m, "queries": [[parameters of the query encoder, flat] at each batch, in order]}
OUT: [[the key encoder's parameters, flat] that computed each batch's keys]
"""
import json
import sys

import numpy as np

spec = json.load(open(sys.argv[1]))
m = spec["momentum"]
queries = [np.array(q, dtype=np.float64) for q in spec["queries"]]
key = queries[0].copy()
keys = []
for query in queries:
    key = m * key + (1 - m) * query
    keys.append(key.tolist())
json.dump(keys, open(sys.argv[2], "w"))
