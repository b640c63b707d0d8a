#!/usr/bin/env bash
# Runs on the GPU machine (the device tool), from the repository root, with
# build/devicekit carried: renders reader training sets with the kit, then
# trains line readers on the GPU at once, each on the clock (--time-budget),
# and leaves reader.pt and metrics.json per run under $OUT.
# Environment:
#   RUNS    runs side by side, each NAME:ARCH:BATCH:LR ("wide:ctc-wide:256:3e-3")
#   SEEDS   road-mix training seeds ("1001 1002 1003"); HARD_SEEDS hard-mix ones ("")
#   COUNT   crops a seed (120000)
#   CROP_FLAGS  more render flags for the SEEDS sets ("": as make models), e.g.
#           "--lettering-cut 0.15 --plate-mix old-type" (see models prepare)
#   PATCH_SEEDS  seeds of engine-patch sets ("": none; 3001 and up): frames cut
#           as the engine cuts them, PATCH_COUNT frames a seed (20000; about
#           three patches a frame)
#   BUDGET  seconds from start to the end of training and saving (480)
#   EPOCHS  the most epochs, should the clock not end the run first (200)
#   INIT    a reader.pt to start from (optional; same ARCH for every run)
#   DEVICE (cuda), PYTHON (python3: the GPU machine's, with torch)
set -u
T0=$(date +%s); END=$((T0 + ${BUDGET:-480}))
KIT=build/devicekit
cp -r $KIT/fonts/usr /
# The kit's binary names the carried loader relative to the repository root.
render() { $KIT/render --for reader --split-lines "$@" 2>&1 | grep -v '^stub'; }
nvidia-smi -L 2>/dev/null; nproc
render --count 4000 --seed 9001 --out /tmp/val
TRAIN=""
for s in ${SEEDS:-1001 1002 1003}; do
  render --count ${COUNT:-120000} --seed $s ${CROP_FLAGS:-} --out /tmp/t$s && TRAIN="$TRAIN --train /tmp/t$s"
done
for s in ${HARD_SEEDS:-}; do
  render --count ${COUNT:-120000} --seed $s --plate-mix hard --out /tmp/t$s && TRAIN="$TRAIN --train /tmp/t$s"
done
for s in ${PATCH_SEEDS:-}; do
  render --engine-patches --count ${PATCH_COUNT:-20000} --seed $s --out /tmp/p$s && TRAIN="$TRAIN --train /tmp/p$s"
done
# The check is of seed 1001 as make models renders it, so CROP_FLAGS skip it.
if [ -n "${CROP_FLAGS:-}" ]; then
  echo "render check skipped: CROP_FLAGS change what seed 1001 renders"
elif [ "$(head -c 1536000 /tmp/t1001/images.u8 2>/dev/null | md5sum | cut -d' ' -f1)" = "$(cat $KIT/check.md5)" ]; then
  echo "renders as at home"
else
  echo "WARNING: seed 1001 renders differently here (or was not rendered)"
fi
echo "rendered in $(( $(date +%s) - T0 ))s:$TRAIN"
for run in ${RUNS:-wide:ctc-wide:256:3e-3}; do
  IFS=: read -r name arch batch lr <<<"$run"
  mkdir -p $OUT/$name
  PYTHONUNBUFFERED=1 ${PYTHON:-python3} training/train_reader.py --arch $arch --device ${DEVICE:-cuda} $TRAIN --val /tmp/val \
    --out $OUT/$name --epochs ${EPOCHS:-200} --batch $batch --lr $lr --seed 1 --threads 4 --aug 0.8 --invert 0.1 \
    --log-every 100000 ${INIT:+--init $INIT} --time-budget $((END - $(date +%s))) --finish-seconds 25 \
    --skip-export 2>&1 | sed -u "s/^/[$name] /" >> $OUT/log.txt &
done
wait
grep -h "time budget\|done steps\|final" $OUT/log.txt
echo "done in $(( $(date +%s) - T0 ))s"
