#!/usr/bin/env bash
# Remakes the plate reader from scratch: render training and validation
# sets, train, export to ONNX, install into fixtures/models with a manifest,
# and evaluate on crops from seeds training never saw.
#
# Seeds: training 1001, validation 9001 (model selection), evaluation 9101.
# Environment: TRAIN_COUNT (80000), EPOCHS (10), WORK (build/models),
# MODELS (fixtures/models: where the model and its manifest are installed).
set -euo pipefail
cd "$(dirname "$0")/.."

TRAIN_COUNT=${TRAIN_COUNT:-80000}
EPOCHS=${EPOCHS:-10}
WORK=${WORK:-build/models}
MODELS=${MODELS:-fixtures/models}
DATE=2026-11-25
mkdir -p "$WORK"

bash scripts/install-deps.sh --training
go build -o bin/anpr ./cmd/anpr

bin/anpr models prepare --count "$TRAIN_COUNT" --seed 1001 --date "$DATE" --out "$WORK/train-1001"
bin/anpr models prepare --count 4000 --seed 9001 --date "$DATE" --out "$WORK/val-9001"

start=$(date +%s)
/usr/bin/python3 training/train_reader.py \
  --train "$WORK/train-1001" --val "$WORK/val-9001" --out "$WORK/reader" \
  --epochs "$EPOCHS" --batch 128 --lr 2e-3 --seed 1 --threads 2 --aug 0.7 \
  --progress "$WORK/reader/progress.txt"
echo "training took $(( $(date +%s) - start )) s" >&2

mkdir -p "$MODELS"
cp "$WORK/reader/reader.onnx" "$MODELS/reader.onnx"
cp "$WORK/reader/metrics.json" "$MODELS/reader.metrics.json"
cp "$WORK/reader/parity.json" "$MODELS/reader.parity.json"
rm -f "$MODELS/manifest.json" # the old hash must not vouch for the new model
bin/anpr models evaluate --condition each --count 300 --seed 9101 --date "$DATE" --model "$MODELS/reader.onnx" --json \
  > "$MODELS/reader.evaluation.json"
/usr/bin/python3 - "$TRAIN_COUNT" "$EPOCHS" "$MODELS" <<'PY'
import hashlib, json, os, sys
train_count, epochs, models = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3]
m = json.load(open(os.path.join(models, "reader.metrics.json")))
ev = json.load(open(os.path.join(models, "reader.evaluation.json")))
manifest = {"models": {"reader": {
    "file": "reader.onnx",
    "sha256": hashlib.sha256(open(os.path.join(models, "reader.onnx"), "rb").read()).hexdigest(),
    "made_by": "make models (scripts/make-models.sh)",
    "training": {"script": "training/train_reader.py", "seed": 1, "train_seed": 1001,
                 "train_crops": train_count, "validation_seed": 9001, "validation_crops": 4000,
                 "epochs": epochs, "augmentation": 0.7},
    "input": m.get("input"), "output": m.get("output"),
    "params": m.get("params"), "macs_per_image": m.get("macs_per_image"),
    "validation": {k: m.get("val", {}).get(k) for k in ("plate_exact", "char_accuracy")},
    "evaluation": {"seed": 9101, "per_condition": ev["per_condition"], "overall": ev["overall"]},
    "files": {"metrics": "reader.metrics.json", "parity": "reader.parity.json", "evaluation": "reader.evaluation.json"},
}}}
json.dump(manifest, open(os.path.join(models, "manifest.json"), "w"), indent=2)
print("wrote", os.path.join(models, "manifest.json"))
PY
