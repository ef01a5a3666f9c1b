"""scikit-learn references for the representation tests.

usage: representation_reference.py knn IN.json   -> accuracy of KNeighborsClassifier with weights exp(cos/T)
       representation_reference.py pca IN.json   -> |first two PCA components| per point (fitted on fit_rows)
"""
import json
import sys

import numpy as np
from sklearn.decomposition import PCA
from sklearn.neighbors import KNeighborsClassifier

kind, spec = sys.argv[1], json.load(open(sys.argv[2]))
dim = spec["dim"]
if kind == "knn":
    train = np.array(spec["train"]).reshape(-1, dim)
    test = np.array(spec["test"]).reshape(-1, dim)
    t = spec["temperature"]
    # cosine distance d = 1 - cos, so the vote weight exp(cos / T) is exp((1 - d) / T)
    model = KNeighborsClassifier(n_neighbors=spec["k"], metric="cosine", algorithm="brute",
                                 weights=lambda d: np.exp((1.0 - d) / t))
    model.fit(train, spec["train_labels"])
    print(json.dumps({"accuracy": float((model.predict(test) == np.array(spec["test_labels"])).mean())}))
else:
    points = np.array(spec["points"]).reshape(-1, dim)
    fit_rows = spec.get("fit_rows", len(points))  # fitted on the first rows (the ID set), every row projected
    pca = PCA(n_components=2).fit(points[:fit_rows])
    print(json.dumps({"abs": np.abs(pca.transform(points)).reshape(-1).tolist()}))
