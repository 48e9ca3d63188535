"""Writes scikit-learn's bundled datasets as train/test CSV files with a header, then scores
scikit-learn's linear baselines on exactly those files (the peer for `lathe train --data`).

Usage: /usr/bin/python3 scripts/sklearn_tables.py OUT_DIR
Prints one line per dataset: `sklearn NAME METRIC VALUE`. Debian's python3-sklearn; nothing downloaded.
"""
import csv
import os
import sys

import numpy as np
from sklearn import datasets
from sklearn.linear_model import LinearRegression, LogisticRegression
from sklearn.metrics import accuracy_score, mean_squared_error, r2_score
from sklearn.model_selection import train_test_split
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

out = sys.argv[1]
os.makedirs(out, exist_ok=True)


def write(path, names, x, y, target):
    with open(path, "w", newline="") as f:
        w = csv.writer(f)
        w.writerow(list(names) + [target])
        for row, t in zip(x, y):
            w.writerow([repr(float(v)) for v in row] + [t])


for name, loader, task in [("iris", datasets.load_iris, "classify"), ("wine", datasets.load_wine, "classify"),
                           ("breast_cancer", datasets.load_breast_cancer, "classify"), ("diabetes", datasets.load_diabetes, "regress")]:
    d = loader(scaled=False) if name == "diabetes" else loader()
    x, y = d.data, d.target
    names = [n.replace(" ", "_").replace("(", "").replace(")", "") for n in d.feature_names]
    if task == "classify":
        labels = np.array([str(d.target_names[i]).replace(" ", "_") for i in y])
        xtr, xte, ytr, yte = train_test_split(x, labels, test_size=0.2, random_state=0, stratify=labels)
        model = make_pipeline(StandardScaler(), LogisticRegression(max_iter=5000)).fit(xtr, ytr)
        write(f"{out}/{name}-train.csv", names, xtr, ytr, "class")
        write(f"{out}/{name}-test.csv", names, xte, yte, "class")
        print(f"sklearn {name} test_accuracy {accuracy_score(yte, model.predict(xte)):.4f}")
    else:
        xtr, xte, ytr, yte = train_test_split(x, y, test_size=0.2, random_state=0)
        model = LinearRegression().fit(xtr, ytr)
        write(f"{out}/{name}-train.csv", names, xtr, [repr(float(v)) for v in ytr], "progression")
        write(f"{out}/{name}-test.csv", names, xte, [repr(float(v)) for v in yte], "progression")
        p = model.predict(xte)
        print(f"sklearn {name} test_rmse {mean_squared_error(yte, p) ** 0.5:.4f} test_r2 {r2_score(yte, p):.4f}")
