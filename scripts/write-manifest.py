#!/usr/bin/python3
"""Writes fixtures/models/manifest.json from the files make-models.sh leaves beside the models:
each model's sha256, how it was made (<model>.made.json), its training metrics and evaluations."""
import hashlib
import json
import os
import sys

models = sys.argv[1] if len(sys.argv) > 1 else "fixtures/models"


def load(name, default=None):
    path = os.path.join(models, name)
    if not os.path.exists(path):
        return default
    with open(path) as f:
        return json.load(f)


def sha(name):
    with open(os.path.join(models, name), "rb") as f:
        return hashlib.sha256(f.read()).hexdigest()


manifest = {"models": {}}
engine = load("engine.evaluation.json")

def reader_entry(stem, m, training):
    """The manifest entry of a line reader installed as <stem>.onnx, beside its metrics (m), parity
    data and crop evaluation (seed 9101); training says how it was made."""
    ev = load(stem + ".evaluation.json", {})
    return {
        "file": stem + ".onnx", "sha256": sha(stem + ".onnx"), "made_by": "make models (scripts/make-models.sh)",
        "training": training,
        "input": m.get("input"), "output": m.get("output"),
        "params": m.get("params"), "macs_per_image": m.get("macs_per_image"),
        "validation": {k: m.get("val", {}).get(k) for k in ("plate_exact", "char_accuracy")},
        "evaluation": {"seed": 9101, "per_condition": ev.get("per_condition"), "per_kind": ev.get("per_kind"),
                       "overall": ev.get("overall")},
        "files": {"metrics": stem + ".metrics.json", "parity": stem + ".parity.json",
                  "evaluation": stem + ".evaluation.json"},
    }


if os.path.exists(os.path.join(models, "reader.onnx")):
    m, made = load("reader.metrics.json", {}), load("reader.made.json", {})
    manifest["models"]["reader"] = reader_entry("reader", m, {
        "script": "training/train_reader.py", "arch": m.get("arch", "slots"), "seed": 1,
        "train_seeds": made.get("train_seeds", [1001]), "train_crops": made.get("train_crops"),
        "validation_seed": 9001, "device": made.get("device", "cpu"),
        # made.json says the first training's batch and rate where a fine-tune
        # (its own entry) wrote the metrics.
        "invert": m.get("args", {}).get("invert", 0.0), "batch": made.get("batch", m.get("batch")),
        "learning_rate": made.get("lr", m.get("args", {}).get("lr")), "note": made.get("note"),
        "fine_tune": made.get("fine_tune"),
        "validation_crops": 4000, "epochs": made.get("epochs"),
        "augmentation": m.get("args", {}).get("aug", 0.7),
        "split_lines": made.get("split_lines", False)})

if os.path.exists(os.path.join(models, "patch-reader.onnx")):
    # The reader of images that are plate patches already: trained on from the
    # reader's first training (not its fine-tune) by make-models.sh's patch step.
    m, made = load("patch-reader.metrics.json", {}), load("patch-reader.made.json", {})
    manifest["models"]["patch_reader"] = reader_entry("patch-reader", m, dict(
        made, script="training/train_reader.py", arch=m.get("arch"), validation_seed=9001, validation_crops=4000))

if os.path.exists(os.path.join(models, "detector.onnx")):
    m, made = load("detector.metrics.json", {}), load("detector.made.json", {})
    manifest["models"]["detector"] = {
        "file": "detector.onnx", "sha256": sha("detector.onnx"), "made_by": "make models (scripts/make-models.sh)",
        "training": {"script": "training/train_detector.py", "seed": 1, "train_seed": 2001,
                     "train_frames": made.get("train_frames"), "empty_share": 0.15, "validation_seed": 9401,
                     "validation_frames": 1000, "epochs": made.get("epochs"), "augmentation": 0.7,
                     # Then trained on from that model, twice, with hard negatives (train_detector.py --init).
                     "fine_tune": made.get("fine_tune"), "fine_tune_2": made.get("fine_tune_2")},
        "input": m.get("input"), "output": m.get("output"),
        "params": m.get("params"), "macs_per_frame": m.get("macs_per_frame"),
        "validation": m.get("val", {}).get("threshold_0.3"),  # the engine runs it at 0.25 (detect.DefaultThreshold)
        "files": {"metrics": "detector.metrics.json", "parity": "detector.parity.json"},
    }

if engine:
    manifest["engine_evaluation"] = {"seed": 9501, "file": "engine.evaluation.json",
                                     "per_condition": engine.get("per_condition"), "per_kind": engine.get("per_kind"),
                                     "overall": engine.get("overall"),
                                     "detection": engine.get("detection")}

with open(os.path.join(models, "manifest.json"), "w") as f:
    json.dump(manifest, f, indent=2)
    f.write("\n")
print("wrote", os.path.join(models, "manifest.json"))
