"""The Mahalanobis OOD score (Lee et al. 2018) recomputed with scikit-learn from features written by a test.

usage: mahalanobis_reference.py IN.json
IN.json: {"train": [[...], ...], "train_labels": [...], "query": [[...], ...]}
prints a JSON list: for every query row, minus its smallest squared Mahalanobis distance to a class mean, under
the covariance of the training rows around their own class means (scikit-learn's EmpiricalCovariance).
"""
import json
import sys

import numpy as np
from sklearn.covariance import EmpiricalCovariance

spec = json.load(open(sys.argv[1]))
train = np.asarray(spec["train"], dtype=np.float64)
labels = np.asarray(spec["train_labels"])
query = np.asarray(spec["query"], dtype=np.float64)
classes = np.unique(labels)
means = np.stack([train[labels == c].mean(axis=0) for c in classes])
centred = train - means[np.searchsorted(classes, labels)]
covariance = EmpiricalCovariance(assume_centered=True).fit(centred)
distances = np.stack([covariance.mahalanobis(query - mean) for mean in means], axis=1)
print(json.dumps((-distances.min(axis=1)).tolist()))
