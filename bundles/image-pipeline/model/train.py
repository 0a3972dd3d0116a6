#!/usr/bin/env python3
"""Trains the image-pipeline classifier offline and writes weights.json + the sample input.

Model: a 64-32-10 multilayer perceptron (ReLU, softmax) trained with scikit-learn on the
handwritten digits data set that ships with scikit-learn (sklearn.datasets.load_digits:
1797 8x8 grey-scale images, 16 levels). The Swift classifier reproduces the forward pass.

Sample input: held-out test images, upscaled 4x to 32x32 8-bit PGM (the pipeline decodes,
resizes back to 8x8 and classifies). Run: python3 train.py  (needs scikit-learn).
"""
import base64, json, os
import numpy as np
from sklearn.datasets import load_digits
from sklearn.model_selection import train_test_split
from sklearn.neural_network import MLPClassifier

here = os.path.dirname(os.path.abspath(__file__))
digits = load_digits()
X = digits.data / 16.0
y = digits.target
Xtr, Xte, ytr, yte, itr, ite = train_test_split(X, y, np.arange(len(y)), test_size=0.25, random_state=7, stratify=y)
clf = MLPClassifier(hidden_layer_sizes=(32,), activation="relu", max_iter=800, random_state=7)
clf.fit(Xtr, ytr)
acc = clf.score(Xte, yte)
print(f"test accuracy on {len(yte)} held-out digits: {acc:.4f}")

r4 = lambda a: [round(float(v), 6) for v in a]
weights = {
    "dataset": "sklearn.datasets.load_digits (8x8, 16 grey levels)",
    "model": "MLP 64-32-10, ReLU hidden layer, softmax output; inputs scaled to [0,1] (pixel/16)",
    "test_accuracy": round(acc, 4),
    "layers": [{"weights": [r4(row) for row in W.T], "bias": r4(b)} for W, b in zip(clf.coefs_, clf.intercepts_)],
}
with open(os.path.join(here, "weights.json"), "w") as f:
    json.dump(weights, f, separators=(",", ":"))

def pgm32(img8):
    big = np.kron(img8.reshape(8, 8), np.ones((4, 4)))  # 32x32, levels 0..16
    pix = np.clip(np.round(big * 255 / 16), 0, 255).astype(np.uint8)
    return b"P5\n32 32\n255\n" + pix.tobytes()

bundle = os.path.dirname(here)
picks = [int(i) for i in ite[:12]]
images = [{"id": f"digits-{i}", "pgm": base64.b64encode(pgm32(digits.data[i])).decode()} for i in picks]
with open(os.path.join(bundle, "sample-input.json"), "w") as f:
    json.dump({"images": images}, f, indent=1)
print("sample labels (truth):", [int(digits.target[i]) for i in picks])
