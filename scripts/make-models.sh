#!/usr/bin/env bash
# Remakes the engine's models from scratch: render training and validation
# sets, train, export to ONNX, install into fixtures/models with a manifest,
# and evaluate on images from seeds training never saw.
#
# Seeds (never shared between training and evaluation):
#   reader:   training 1001-1003, fine-tune 1101-1108, validation 9001 (model selection), crop evaluation 9101
#   patch reader: fine-tune 1171-1178 (from the reader's first training), validation 9001, crop evaluation 9101
#   detector: training 2001, validation 9401 (model selection)
#   engine:   frame evaluation 9501 (detect and read, after both are made)
#   tests:    CI crop set 9201, CI frame set 9202; demo 9301; bench recognise 9601
#   development (choosing rules, never reported as results): 9701, 9702, 9703; crops 9711, 9721
# The reader is the wide line reader (CTC over 40 columns; two-line crops'
# halves side by side: models prepare --split-lines), trained on three sets of
# 120,000 crops with a tenth of them inverted (light characters on dark), then
# two epochs on from it over 172,000 crops weighted to the hard conditions,
# exported with its logits divided by 0.7 (see training/README.md). The patch
# reader (images that are plate patches already: roadside photos) is trained on
# from the same first training over crops with the older typefaces and 15% cut
# to the lettering, as collected photographs are.
# Environment: ONLY (reader or detector: remake just that one), TRAIN_COUNT
# (120000 crops per training seed), TRAIN_SEEDS ("1001 1002 1003"), EPOCHS (9),
# READER_ARCH (ctc-wide), DEVICE (cpu, or cuda where PyTorch sees a GPU),
# DET_COUNT (14000 frames), DET_EPOCHS (14), DET_FT_EPOCHS (4: each of the two
# hard-negative fine-tunes), WORK (build/models), MODELS
# (fixtures/models: where models and manifest go).
set -euo pipefail
cd "$(dirname "$0")/.."

ONLY=${ONLY:-}
TRAIN_COUNT=${TRAIN_COUNT:-120000}
TRAIN_SEEDS=${TRAIN_SEEDS:-1001 1002 1003}
EPOCHS=${EPOCHS:-9}
READER_ARCH=${READER_ARCH:-ctc-wide}
DEVICE=${DEVICE:-cpu}
DET_COUNT=${DET_COUNT:-14000}
DET_EPOCHS=${DET_EPOCHS:-14}
DET_FT_EPOCHS=${DET_FT_EPOCHS:-4}
WORK=${WORK:-build/models}
MODELS=${MODELS:-fixtures/models}
DATE=2026-11-25
mkdir -p "$WORK" "$MODELS"

bash scripts/install-deps.sh --training
go build -o bin/anpr ./cmd/anpr

if [ -z "$ONLY" ] || [ "$ONLY" = reader ]; then
  train_sets=()
  for seed in $TRAIN_SEEDS; do
    bin/anpr models prepare --for reader --split-lines --count "$TRAIN_COUNT" --seed "$seed" --date "$DATE" --out "$WORK/train-lines-$seed"
    train_sets+=(--train "$WORK/train-lines-$seed")
  done
  bin/anpr models prepare --for reader --split-lines --count 4000 --seed 9001 --date "$DATE" --out "$WORK/val-lines-9001"
  start=$(date +%s)
  mkdir -p "$WORK/reader"
  /usr/bin/python3 training/train_reader.py --arch "$READER_ARCH" --device "$DEVICE" \
    "${train_sets[@]}" --val "$WORK/val-lines-9001" --out "$WORK/reader" \
    --epochs "$EPOCHS" --batch 256 --lr 3e-3 --seed 1 --threads 2 --aug 0.8 --invert 0.1 \
    --progress "$WORK/reader/progress.txt"
  # Then two epochs on from it (its ONNX export, --freeze-bn) over crops drawn mostly from the
  # conditions it reads worst, which the road's mix (condition mixed) draws 4 to 10% of the time
  # each, with a fifth from that mix so the rest is not forgotten. Exported with its logits
  # divided by 0.7: it comes out less sure of its reads than the model it starts from, on whose
  # confidences the engine's gates were set. condition_set CONDITION COUNT SEED; what each call
  # and the settings below did goes into reader.made.json.
  ft_sets=() ft_conditions=() ft_counts=() ft_seeds=() ft_crops=0
  ft_epochs=2 ft_batch=128 ft_lr=0.0003 ft_temperature=0.7
  condition_set() {
    bin/anpr models prepare --for reader --split-lines --condition "$1" --count "$2" --seed "$3" --date "$DATE" --out "$WORK/ft-lines-$1-$3"
    ft_sets+=(--train "$WORK/ft-lines-$1-$3")
    ft_conditions+=("\"$1\"") ft_counts+=("$2") ft_seeds+=("$3") ft_crops=$(( ft_crops + $2 ))
  }
  condition_set motion 24000 1101
  condition_set dusk 24000 1102
  condition_set night-colour 24000 1103
  condition_set rain 24000 1104
  condition_set spray 16000 1105
  condition_set fog 12000 1106
  condition_set low-sun 12000 1107
  condition_set mixed 36000 1108
  # train_on OUT SEED AUG --train SET...: two epochs on from the first training into $WORK/OUT.
  train_on() {
    local out=$1 seed=$2 aug=$3
    shift 3
    mkdir -p "$WORK/$out"
    /usr/bin/python3 training/train_reader.py --arch "$READER_ARCH" --device "$DEVICE" \
      "$@" --val "$WORK/val-lines-9001" --out "$WORK/$out" \
      --init "$WORK/reader/reader.onnx" --freeze-bn --temperature "$ft_temperature" \
      --epochs "$ft_epochs" --batch "$ft_batch" --lr "$ft_lr" --seed "$seed" --threads 2 --aug "$aug" --invert 0.1 \
      --progress "$WORK/$out/progress.txt"
  }
  train_on reader-ft 1 0.8 "${ft_sets[@]}"
  echo "reader training took $(( $(date +%s) - start )) s" >&2
  cp "$WORK/reader-ft/reader.onnx" "$MODELS/reader.onnx"
  cp "$WORK/reader-ft/metrics.json" "$MODELS/reader.metrics.json"
  cp "$WORK/reader-ft/parity.json" "$MODELS/reader.parity.json"
  rm -f "$MODELS/manifest.json" # an old hash must not vouch for a new model
  bin/anpr models evaluate --condition each --count 300 --seed 9101 --date "$DATE" --model "$MODELS/reader.onnx" --json \
    > "$MODELS/reader.evaluation.json"
  seeds=$(echo $TRAIN_SEEDS | tr ' ' ',')
  echo "{\"train_crops\": $(( TRAIN_COUNT * $(echo $TRAIN_SEEDS | wc -w) )), \"train_seeds\": [$seeds], \"epochs\": $EPOCHS, \"batch\": 256, \"lr\": 0.003, \"split_lines\": true, \"device\": \"$DEVICE\", \"fine_tune\": {\"crops\": $ft_crops, \"seeds\": [$(IFS=,; echo "${ft_seeds[*]}")], \"conditions\": [$(IFS=,; echo "${ft_conditions[*]}")], \"counts\": [$(IFS=,; echo "${ft_counts[*]}")], \"epochs\": $ft_epochs, \"batch\": $ft_batch, \"lr\": $ft_lr, \"freeze_bn\": true, \"temperature\": $ft_temperature}}" > "$MODELS/reader.made.json"
  # The patch reader: two epochs on from the same first training (not from the reader's
  # fine-tune) over crops drawn half from the road's mix, the rest from the hard conditions,
  # with the older typefaces (--plate-mix old-type) and 15% cut to the lettering, at full
  # augmentation. What each call did goes into patch-reader.made.json.
  p_sets=() p_conditions=() p_counts=() p_seeds=() p_crops=0
  patch_set() {
    bin/anpr models prepare --for reader --split-lines --condition "$1" --count "$2" --seed "$3" --date "$DATE" \
      --plate-mix old-type --lettering-cut 0.15 --out "$WORK/patch-lines-$1-$3"
    p_sets+=(--train "$WORK/patch-lines-$1-$3")
    p_conditions+=("\"$1\"") p_counts+=("$2") p_seeds+=("$3") p_crops=$(( p_crops + $2 ))
  }
  patch_set mixed 50000 1171
  patch_set motion 10000 1172
  patch_set dusk 10000 1173
  patch_set night-colour 10000 1174
  patch_set rain 10000 1175
  patch_set spray 6000 1176
  patch_set fog 6000 1177
  patch_set low-sun 6000 1178
  train_on patch-reader 2 1.0 "${p_sets[@]}"
  cp "$WORK/patch-reader/reader.onnx" "$MODELS/patch-reader.onnx"
  cp "$WORK/patch-reader/metrics.json" "$MODELS/patch-reader.metrics.json"
  cp "$WORK/patch-reader/parity.json" "$MODELS/patch-reader.parity.json"
  bin/anpr models evaluate --condition each --count 300 --seed 9101 --date "$DATE" --model "$MODELS/patch-reader.onnx" --json \
    > "$MODELS/patch-reader.evaluation.json"
  echo "{\"from\": \"the first training of the reader (before its fine-tune)\", \"crops\": $p_crops, \"seeds\": [$(IFS=,; echo "${p_seeds[*]}")], \"conditions\": [$(IFS=,; echo "${p_conditions[*]}")], \"counts\": [$(IFS=,; echo "${p_counts[*]}")], \"plate_mix\": \"old-type\", \"lettering_cut\": 0.15, \"epochs\": $ft_epochs, \"batch\": $ft_batch, \"lr\": $ft_lr, \"freeze_bn\": true, \"temperature\": $ft_temperature, \"augmentation\": 1.0, \"invert\": 0.1, \"seed\": 2, \"device\": \"$DEVICE\"}" > "$MODELS/patch-reader.made.json"
  echo "reader and patch reader training took $(( $(date +%s) - start )) s" >&2
fi

if [ -z "$ONLY" ] || [ "$ONLY" = detector ]; then
  bin/anpr models prepare --for detector --count "$DET_COUNT" --seed 2001 --date "$DATE" --out "$WORK/det-train-2001"
  bin/anpr models prepare --for detector --count 1000 --seed 9401 --date "$DATE" --out "$WORK/det-val-9401"
  start=$(date +%s)
  /usr/bin/python3 training/train_detector.py \
    --train "$WORK/det-train-2001" --val "$WORK/det-val-9401" --out "$WORK/detector" \
    --epochs "$DET_EPOCHS" --batch 32 --lr 3e-3 --seed 1 --threads 2 --aug 0.7 \
    --progress "$WORK/detector/progress.txt"
  # Then twice a few epochs on from the model before with hard negatives: part of each batch
  # cropped around what the model last took for a plate and was not (sign lettering, mostly).
  # From the ONNX export with --freeze-bn, as the installed detector was made.
  # hard_negative_round FROM OUT LR SEED SHARE MINE_FRAMES; each round's settings are kept in
  # $rounds for detector.made.json.
  rounds=()
  hard_negative_round() {
    /usr/bin/python3 training/train_detector.py \
      --train "$WORK/det-train-2001" --val "$WORK/det-val-9401" --out "$WORK/$2" \
      --init "$WORK/$1/detector.onnx" --freeze-bn \
      --epochs "$DET_FT_EPOCHS" --batch 32 --lr "$3" --seed "$4" --threads 2 --aug 0.7 \
      --hard-negatives "$5" --mine-from 1 --mine-every 2 --mine-threshold 0.2 --mine-frames "$6" \
      --progress "$WORK/$2/progress.txt"
    rounds+=("{\"epochs\": $DET_FT_EPOCHS, \"lr\": $3, \"seed\": $4, \"freeze_bn\": true, \"hard_negatives\": $5, \"mine_from\": 1, \"mine_every\": 2, \"mine_threshold\": 0.2, \"mine_frames\": $6}")
  }
  hard_negative_round detector detector-hn 0.0005 1 0.25 3000
  hard_negative_round detector-hn detector-hn2 0.0003 2 0.3 7000
  echo "detector training took $(( $(date +%s) - start )) s" >&2
  cp "$WORK/detector-hn2/detector.onnx" "$MODELS/detector.onnx"
  cp "$WORK/detector-hn2/metrics.json" "$MODELS/detector.metrics.json"
  cp "$WORK/detector-hn2/parity.json" "$MODELS/detector.parity.json"
  rm -f "$MODELS/manifest.json"
  echo "{\"train_frames\": $DET_COUNT, \"epochs\": $DET_EPOCHS, \"fine_tune\": ${rounds[0]}, \"fine_tune_2\": ${rounds[1]}}" > "$MODELS/detector.made.json"
fi

# The engine on whole frames, both models together.
bin/anpr models evaluate --frames --condition each --count 200 --empty 1000 --seed 9501 --date "$DATE" \
  --model "$MODELS/reader.onnx" --detector-model "$MODELS/detector.onnx" --json > "$MODELS/engine.evaluation.json"

/usr/bin/python3 scripts/write-manifest.py "$MODELS"
