"""scikit-learn's metrics on the scores given: the reference the C++ OOD metrics must match to 1e-9."""
import json
import sys

import numpy as np
from sklearn.metrics import average_precision_score, roc_auc_score, roc_curve

cases = json.load(open(sys.argv[1]))
results = []
for case in cases:
    id_scores, ood_scores = np.array(case["id"]), np.array(case["ood"])
    scores = np.concatenate([id_scores, ood_scores])
    labels = np.concatenate([np.ones(len(id_scores)), np.zeros(len(ood_scores))])
    fpr, tpr, thresholds = roc_curve(labels, scores, drop_intermediate=False)
    ood_fpr, ood_tpr, _ = roc_curve(1 - labels, -scores, drop_intermediate=False)
    results.append({
        "auroc": roc_auc_score(labels, scores),
        "fpr": fpr.tolist(), "tpr": tpr.tolist(), "thresholds": thresholds[1:].tolist(),
        "fpr95": float(fpr[np.argmax(tpr >= 0.95)]),
        "fpr95_ood_positive": float(ood_fpr[np.argmax(ood_tpr >= 0.95)]),
        "aupr_in": average_precision_score(labels, scores),
        "aupr_out": average_precision_score(1 - labels, -scores),
    })
json.dump(results, open(sys.argv[2], "w"))
