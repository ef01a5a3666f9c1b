"""Recomputes AUROC from an eval folder's scores.csv with scikit-learn, for comparison with its metrics.json."""
import csv
import json
import sys
from collections import defaultdict

from sklearn.metrics import average_precision_score, roc_auc_score

folder, in_name = sys.argv[1], sys.argv[2]
rows = list(csv.DictReader(open(f"{folder}/scores.csv")))
scores = [k for k in rows[0].keys() if k not in ("dataset", "index", "label")]
by_set = defaultdict(list)
for row in rows:
    by_set[row["dataset"]].append(row)
result = {}
for name, set_rows in by_set.items():
    if name == in_name:
        continue
    result[name] = {}
    for score in scores:
        ids = [float(r[score]) for r in by_set[in_name]]
        oods = [float(r[score]) for r in set_rows]
        labels = [1] * len(ids) + [0] * len(oods)
        result[name][score] = {"auroc": roc_auc_score(labels, ids + oods),
                               "aupr_in": average_precision_score(labels, ids + oods)}
print(json.dumps(result))
