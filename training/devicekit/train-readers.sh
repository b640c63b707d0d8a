#!/usr/bin/env bash
# Runs on the GPU machine (the device tool), from the repository root, with
# build/devicekit carried: renders reader training sets with the kit, then
# trains line readers on the GPU at once, each fitted to the time left, and
# leaves reader.pt and metrics.json per architecture under $OUT.
# Environment: ARCHES ("ctc-wide"), SEEDS ("1001 1002 1003"), COUNT (crops
# a seed, 120000), BUDGET (seconds from start to the end of training, 480),
# EPOCHS (30, the most), LR (3e-3), INIT (a reader.pt to start from,
# optional), DEVICE (cuda), PYTHON (python3: the GPU machine's, with torch).
set -u
T0=$(date +%s); END=$((T0 + ${BUDGET:-480}))
KIT=build/devicekit
cp -r $KIT/fonts/usr /
render() { $KIT/lib/ld-linux-x86-64.so.2 --library-path $KIT/lib $KIT/render --for reader --split-lines "$@" 2>&1 | grep -v '^stub'; }
nvidia-smi -L 2>/dev/null; nproc
render --count 4000 --seed 9001 --out /tmp/val
TRAIN=""
for s in ${SEEDS:-1001 1002 1003}; do
  render --count ${COUNT:-120000} --seed $s --out /tmp/t$s && TRAIN="$TRAIN --train /tmp/t$s"
done
[ "$(head -c 1536000 /tmp/t1001/images.u8 2>/dev/null | md5sum | cut -d' ' -f1)" = "$(cat $KIT/check.md5)" ] \
  && echo "renders as at home" || echo "WARNING: seed 1001 renders differently here (or was not rendered)"
echo "rendered in $(( $(date +%s) - T0 ))s:$TRAIN"
for a in ${ARCHES:-ctc-wide}; do
  mkdir -p $OUT/$a
  PYTHONUNBUFFERED=1 ${PYTHON:-python3} training/train_reader.py --arch $a --device ${DEVICE:-cuda} $TRAIN --val /tmp/val --out $OUT/$a \
    --epochs ${EPOCHS:-30} --batch 256 --lr ${LR:-3e-3} --seed 1 --threads 4 --aug 0.8 --invert 0.1 --log-every 400 \
    ${INIT:+--init $INIT} --time-budget $((END - $(date +%s))) --skip-export 2>&1 | sed -u "s/^/[$a] /" >> $OUT/log.txt &
done
wait
grep -h "time budget\|done loss\|final" $OUT/log.txt
echo "done in $(( $(date +%s) - T0 ))s"
