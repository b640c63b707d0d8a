#!/usr/bin/python3
"""Trains the UK number-plate detector: a small fully convolutional network over 640x360 grey frames.

The network answers on a grid of 8-pixel cells (80 x 45): per cell a centre score (focal loss
against a Gaussian around each plate's centre, as CenterNet does) and the plate's four corners as
offsets from the cell's centre. Reads prepared sets (frames.u8 + plates.jsonl) written by
`anpr models prepare --for detector`, trains on random crops with photometric augmentation,
evaluates on a validation set and writes detector.onnx (opset 11, imports in OpenCV 4.6 DNN),
detector.pt, parity.json (a formula input and expected outputs for a Go parity test) and
metrics.json.

Run with Debian's /usr/bin/python3 (python3-torch, CPU). See training/README.md.
"""

import argparse
import contextlib
import json
import math
import os
import platform
import random
import sys
import time

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

from onnx_weights import load_weights, train_mode

# Must match engine/detect/preprocess.go.
HEIGHT, WIDTH = 360, 640
STRIDE = 8
CHANNELS = 9
CORNER_UNIT = 32.0
# Training crops: whole cells, a quarter of the frame.
CROP_H, CROP_W = 176, 320


class PreparedSet:
    """One prepared directory: frames [N,360,640] uint8 (memory-mapped) and per-frame labels."""

    def __init__(self, path):
        self.path = path
        raw = np.memmap(os.path.join(path, "frames.u8"), dtype=np.uint8, mode="r")
        per = HEIGHT * WIDTH
        if raw.size % per != 0:
            raise SystemExit(f"{path}/frames.u8: {raw.size} bytes is not a multiple of {per} (360x640)")
        n = raw.size // per
        self.frames = raw.reshape(n, HEIGHT, WIDTH)
        with open(os.path.join(path, "plates.jsonl"), encoding="utf-8") as f:
            self.labels = [json.loads(line) for line in f if line.strip()]
        if len(self.labels) != n:
            raise SystemExit(f"{path}: {len(self.labels)} labels for {n} frames")

    def __len__(self):
        return len(self.labels)


def conv_bn(cin, cout, stride=1, dilation=1):
    return [nn.Conv2d(cin, cout, 3, stride, padding=dilation, dilation=dilation, bias=False),
            nn.BatchNorm2d(cout), nn.ReLU(inplace=True)]


class Detector(nn.Module):
    """Three stride-2 convolutions to 1/8 scale, then three 3x3 convolutions with dilation 1, 2, 4
    (receptive field about 190 input pixels, wide enough for the largest plates), then a 1x1 head.
    About 150 M multiply-adds per 640x360 frame: 6 to 8 ms on one core in OpenCV's DNN."""

    def __init__(self, width=32):
        super().__init__()
        layers = conv_bn(1, 8, 2) + conv_bn(8, 16, 2) + conv_bn(16, width, 2)
        layers += conv_bn(width, width) + conv_bn(width, width, 1, 2) + conv_bn(width, width, 1, 4)
        self.features = nn.Sequential(*layers)
        self.head = nn.Conv2d(width, CHANNELS, 1)
        nn.init.zeros_(self.head.weight)
        with torch.no_grad():
            self.head.bias.zero_()
            self.head.bias[0] = -4.6  # centre prior of 1%: few cells hold a plate

    def forward(self, x):
        x = x * (1.0 / 127.5) - 1.0  # raw 0..255 in; exports as Mul + Sub
        return self.head(self.features(x))


# ---------------------------------------------------------------------------------------------
# Targets


def targets_for(label, ox, oy, h, w):
    """Heatmap [gh,gw], regression [8,gh,gw], regression weight [gh,gw] and loss mask [gh,gw] for
    one crop whose top-left is (ox, oy) in frame pixels."""
    gh, gw = h // STRIDE, w // STRIDE
    heat = np.zeros((gh, gw), np.float32)
    reg = np.zeros((8, gh, gw), np.float32)
    regw = np.zeros((gh, gw), np.float32)
    mask = np.ones((gh, gw), np.float32)
    for x, y, bw, bh in label.get("ignore") or []:
        x0, y0 = int((x - ox) // STRIDE) - 1, int((y - oy) // STRIDE) - 1
        x1, y1 = int((x + bw - ox) // STRIDE) + 2, int((y + bh - oy) // STRIDE) + 2
        mask[max(0, y0):max(0, y1), max(0, x0):max(0, x1)] = 0
    poly = label.get("polygon")
    if poly:
        p = np.array(poly, np.float32) - np.array([ox, oy], np.float32)
        cx, cy = p[:, 0].mean(), p[:, 1].mean()
        pw = max(p[:, 0].max() - p[:, 0].min(), 1.0) / STRIDE
        ph = max(p[:, 1].max() - p[:, 1].min(), 1.0) / STRIDE
        sx, sy = max(0.6, pw / 6), max(0.6, ph / 6)
        gx, gy = np.meshgrid(np.arange(gw, dtype=np.float32) + 0.5, np.arange(gh, dtype=np.float32) + 0.5)
        g = np.exp(-((gx - cx / STRIDE) ** 2) / (2 * sx * sx) - ((gy - cy / STRIDE) ** 2) / (2 * sy * sy))
        heat = np.maximum(heat, g)
        px, py = int(cx // STRIDE), int(cy // STRIDE)
        if 0 <= px < gw and 0 <= py < gh:
            heat[py, px] = 1.0
        # Corners are learnt at the cells near the centre, where a peak can fall.
        near = (g > 0.5)
        if 0 <= px < gw and 0 <= py < gh:
            near[py, px] = True
        ys, xs = np.nonzero(near)
        for yy, xx in zip(ys, xs):
            ccx, ccy = (xx + 0.5) * STRIDE, (yy + 0.5) * STRIDE
            reg[:, yy, xx] = ((p - np.array([ccx, ccy], np.float32)) / CORNER_UNIT).reshape(-1)
            regw[yy, xx] = heat[yy, xx]
        # A plate cut by the crop's edge is neither learnt as plate nor as background.
        if p[:, 0].min() < 0 or p[:, 1].min() < 0 or p[:, 0].max() > w or p[:, 1].max() > h:
            mask[heat > 0.05] = 0
            regw[:] = 0
    return heat, reg, regw, mask


def batch(ds, idx, rng, crop=True, hard=()):
    """Frames [B,1,h,w] float, heat [B,gh,gw], reg [B,8,gh,gw], regw, mask. hard holds, per frame
    index, places (cx, cy) in it that fooled the model (mine_hard_negatives); a frame with some is
    cropped around one of them."""
    xs, hs, rs, rws, ms = [], [], [], [], []
    for i in idx:
        lab = ds.labels[i]
        if crop:
            h, w = CROP_H, CROP_W
            poly = lab.get("polygon")
            centre = None
            if i in hard:
                centre = rng.choice(hard[i])
            elif poly and rng.random() < 0.75:
                centre = (sum(c[0] for c in poly) / 4, sum(c[1] for c in poly) / 4)
            if centre:
                ox = int(np.clip(centre[0] - rng.uniform(0.15, 0.85) * w, 0, WIDTH - w))
                oy = int(np.clip(centre[1] - rng.uniform(0.15, 0.85) * h, 0, HEIGHT - h))
            else:
                ox, oy = rng.randrange(0, WIDTH - w + 1), rng.randrange(0, HEIGHT - h + 1)
            ox, oy = ox // STRIDE * STRIDE, oy // STRIDE * STRIDE
        else:
            h, w, ox, oy = HEIGHT, WIDTH, 0, 0
        xs.append(np.asarray(ds.frames[i, oy:oy + h, ox:ox + w]))
        t = targets_for(lab, ox, oy, h, w)
        hs.append(t[0]); rs.append(t[1]); rws.append(t[2]); ms.append(t[3])
    x = torch.from_numpy(np.stack(xs)).float().unsqueeze(1)
    return x, torch.from_numpy(np.stack(hs)), torch.from_numpy(np.stack(rs)), torch.from_numpy(np.stack(rws)), torch.from_numpy(np.stack(ms))


def augment(x, strength, gen):
    """Photometric changes the renderer may not cover: gain, gamma, contrast, noise, blur."""
    if strength <= 0:
        return x
    b = x.shape[0]
    u = lambda lo, hi: torch.rand(b, 1, 1, 1, generator=gen) * (hi - lo) + lo
    x = x / 255.0
    x = x.clamp(0, 1) ** torch.exp(u(-0.5, 0.5) * strength)
    mean = x.mean(dim=(2, 3), keepdim=True)
    x = (x - mean) * (1 + u(-0.4, 0.3) * strength) + mean + u(-0.15, 0.15) * strength
    if torch.rand(1, generator=gen).item() < 0.3 * strength:
        x = F.avg_pool2d(F.pad(x, (1, 1, 1, 1), mode="replicate"), 3, stride=1)
    x = x + torch.randn(x.shape, generator=gen) * u(0, 0.04) * strength
    return (x.clamp(0, 1) * 255.0)


def losses(out, heat, reg, regw, mask):
    logit = out[:, 0]
    p = torch.sigmoid(logit).clamp(1e-4, 1 - 1e-4)
    pos = (heat >= 0.999).float()
    neg = (1 - pos) * mask
    pos_loss = -(((1 - p) ** 2) * torch.log(p) * pos).sum()
    neg_loss = -(((1 - heat) ** 4) * (p ** 2) * torch.log(1 - p) * neg).sum()
    npos = pos.sum().clamp(min=1)
    focal = (pos_loss + neg_loss) / npos
    l1 = (F.smooth_l1_loss(out[:, 1:], reg, reduction="none", beta=0.05).sum(1) * regw).sum() / regw.sum().clamp(min=1)
    return focal, l1


# ---------------------------------------------------------------------------------------------
# Decoding and evaluation (mirrors engine/detect/decode.go)


def decode(out, threshold):
    """out: [9,gh,gw] numpy -> list of (score, polygon [4,2]) in input pixels, after 3x3 peak picking."""
    logit = out[0]
    score = 1 / (1 + np.exp(-logit))
    gh, gw = score.shape
    pad = np.pad(score, 1, constant_values=0)
    peaks = []
    for y, x in zip(*np.nonzero(score >= threshold)):
        s = score[y, x]
        if s < pad[y:y + 3, x:x + 3].max():
            continue
        c = np.array([(x + 0.5) * STRIDE, (y + 0.5) * STRIDE], np.float32)
        poly = out[1:, y, x].reshape(4, 2) * CORNER_UNIT + c
        peaks.append((float(s), poly))
    peaks.sort(key=lambda t: -t[0])
    return peaks


def box_of(poly):
    return poly[:, 0].min(), poly[:, 1].min(), poly[:, 0].max(), poly[:, 1].max()


def iou(a, b):
    ax0, ay0, ax1, ay1 = a
    bx0, by0, bx1, by1 = b
    iw = max(0.0, min(ax1, bx1) - max(ax0, bx0))
    ih = max(0.0, min(ay1, by1) - max(ay0, by0))
    inter = iw * ih
    union = (ax1 - ax0) * (ay1 - ay0) + (bx1 - bx0) * (by1 - by0) - inter
    return inter / union if union > 0 else 0.0


@contextlib.contextmanager
def evaluating(model):
    """Runs the block with model in eval mode and no gradients, then puts every module back in the
    mode it was in (with --freeze-bn, BatchNorms stay in eval mode while the rest trains)."""
    modes = [(m, m.training) for m in model.modules()]
    model.eval()
    try:
        with torch.no_grad():
            yield
    finally:
        for m, t in modes:
            m.train(t)


def forward_frames(model, ds, idx):
    """The model's output grids for whole frames idx of ds, as numpy [B,9,gh,gw]."""
    x = torch.from_numpy(np.stack([np.asarray(ds.frames[i]) for i in idx])).float().unsqueeze(1)
    return model(x).numpy()


def ignore_boxes(label):
    """The label's ignored (too distant) plates as (x0, y0, x1, y1)."""
    return [(x0, y0, x0 + w, y0 + h) for x0, y0, w, h in (label.get("ignore") or [])]


def mine_hard_negatives(model, ds, frames, threshold):
    """Every place in the given training frames where the model sees a plate that is none: peaks
    at or above threshold away from the frame's plate and from its ignored (distant) plates.
    Returns {frame index: [(cx, cy), ...]} in frame pixels."""
    found = {}
    with evaluating(model):
        for start in range(0, len(frames), 32):
            idx = frames[start:start + 32]
            outs = forward_frames(model, ds, idx)
            for k, i in enumerate(idx):
                if (1 / (1 + np.exp(-outs[k][0]))).max() < threshold:
                    continue
                lab = ds.labels[i]
                keep = ignore_boxes(lab)
                if lab.get("polygon"):
                    keep.append(box_of(np.array(lab["polygon"], np.float32)))
                for _, p in decode(outs[k], threshold):
                    b = box_of(p)
                    if not any(iou(b, t) > 0.05 for t in keep):
                        found.setdefault(i, []).append((float(p[:, 0].mean()), float(p[:, 1].mean())))
    return found


def evaluate(model, ds, threshold=0.3, limit=None, min_char_px=16):
    """Recall of plates with characters >= min_char_px (IoU >= 0.5), false plates per empty frame,
    false plates per plate frame, mean corner error in input pixels for found plates."""
    n = len(ds) if limit is None else min(limit, len(ds))
    found = total = false_empty = empty = false_plate = plate_frames = 0
    corner_err = []
    with evaluating(model):
        for start in range(0, n, 16):
            idx = list(range(start, min(n, start + 16)))
            outs = forward_frames(model, ds, idx)
            for k, i in enumerate(idx):
                lab = ds.labels[i]
                peaks = decode(outs[k], threshold)
                ignore = ignore_boxes(lab)
                poly = lab.get("polygon")
                truth = np.array(poly, np.float32) if poly else None
                matched = False
                for s, p in peaks:
                    b = box_of(p)
                    if truth is not None and not matched and iou(b, box_of(truth)) >= 0.5:
                        matched = True
                        corner_err.append(float(np.abs(p - truth).mean()))
                        continue
                    if any(iou(b, ig) > 0.1 for ig in ignore):
                        continue
                    if truth is None:
                        false_empty += 1
                    else:
                        false_plate += 1
                if truth is None:
                    empty += 1
                else:
                    plate_frames += 1
                    if lab.get("char_px", 0) >= min_char_px:
                        total += 1
                        found += int(matched)
    return {
        "recall_16px": found / max(1, total), "plates_16px": total,
        "false_plates_per_empty_frame": false_empty / max(1, empty), "empty_frames": empty,
        "false_plates_per_plate_frame": false_plate / max(1, plate_frames),
        "corner_error_px": float(np.mean(corner_err)) if corner_err else None,
        "threshold": threshold,
    }


# ---------------------------------------------------------------------------------------------
# Export


def parity_input():
    """A deterministic 360x640 input both Python and Go can make: no file needed."""
    yy, xx = np.meshgrid(np.arange(HEIGHT), np.arange(WIDTH), indexing="ij")
    return ((xx * 7 + yy * 13 + (xx * yy) % 31) % 256).astype(np.uint8)


def write_parity(model, path):
    model.eval()
    x = torch.from_numpy(parity_input()).float()[None, None]
    with torch.no_grad():
        out = model(x)[0].numpy()
    rng = np.random.default_rng(7)
    picks = [(int(c), int(y), int(xx)) for c, y, xx in zip(rng.integers(0, CHANNELS, 64), rng.integers(0, HEIGHT // STRIDE, 64), rng.integers(0, WIDTH // STRIDE, 64))]
    doc = {
        "input": "x[r][c] = (7c + 13r + (c*r mod 31)) mod 256, 360 x 640 grey",
        "output_shape": [1, CHANNELS, HEIGHT // STRIDE, WIDTH // STRIDE],
        "samples": [{"channel": c, "y": y, "x": xx, "value": float(out[c, y, xx])} for c, y, xx in picks],
        "sum": float(out.sum()),
    }
    with open(path, "w") as f:
        json.dump(doc, f, indent=1)


def export_onnx(model, path):
    model.eval()
    torch.onnx.export(model, torch.zeros(1, 1, HEIGHT, WIDTH), path, opset_version=11,
                      input_names=["image"], output_names=["grid"], do_constant_folding=True)


def macs(model):
    total = 0
    h, w = HEIGHT, WIDTH
    for m in model.modules():
        if isinstance(m, nn.Conv2d):
            h, w = (h + 2 * m.padding[0] - m.dilation[0] * (m.kernel_size[0] - 1) - 1) // m.stride[0] + 1, \
                   (w + 2 * m.padding[1] - m.dilation[1] * (m.kernel_size[1] - 1) - 1) // m.stride[1] + 1
            total += h * w * m.out_channels * (m.in_channels // m.groups) * m.kernel_size[0] * m.kernel_size[1]
    return total


# ---------------------------------------------------------------------------------------------


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--train", required=True)
    ap.add_argument("--val", required=True)
    ap.add_argument("--out", required=True)
    ap.add_argument("--epochs", type=int, default=12)
    ap.add_argument("--batch", type=int, default=32)
    ap.add_argument("--lr", type=float, default=3e-3)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--aug", type=float, default=0.7)
    ap.add_argument("--width", type=int, default=32)
    ap.add_argument("--progress", default=None)
    ap.add_argument("--init", metavar="PT|ONNX", default=None,
                    help="go on from a trained detector's weights (detector.pt, or an ONNX file with --freeze-bn)")
    ap.add_argument("--freeze-bn", action="store_true",
                    help="keep every BatchNorm on its running statistics (needed with --init from ONNX)")
    ap.add_argument("--hard-negatives", type=float, default=0.0,
                    help="share of each batch cropped around places that fooled the model (0: none)")
    ap.add_argument("--mine-from", type=int, default=3, help="first epoch (1-based) that uses hard negatives")
    ap.add_argument("--mine-threshold", type=float, default=0.2, help="peak score that counts as fooling the model")
    ap.add_argument("--mine-every", type=int, default=3, help="epochs between minings")
    ap.add_argument("--mine-frames", type=int, default=3000,
                    help="training frames looked through at each mining (3,000 took 70 s on 2 cores)")
    args = ap.parse_args()

    torch.manual_seed(args.seed)
    random.seed(args.seed)
    np.random.seed(args.seed)
    torch.set_num_threads(args.threads)
    os.makedirs(args.out, exist_ok=True)
    train, val = PreparedSet(args.train), PreparedSet(args.val)
    model = Detector(args.width)
    if args.init:
        load_weights(model, args.init, args.freeze_bn)
    train_mode(model, args.freeze_bn)
    opt = torch.optim.AdamW(model.parameters(), lr=args.lr, weight_decay=1e-4)
    steps_per_epoch = len(train) // args.batch
    total_steps = steps_per_epoch * args.epochs
    sched = torch.optim.lr_scheduler.OneCycleLR(opt, max_lr=args.lr, total_steps=total_steps, pct_start=0.1)
    rng = random.Random(args.seed)
    gen = torch.Generator().manual_seed(args.seed)
    progress = open(args.progress, "a") if args.progress else None

    def say(msg):
        print(msg, flush=True)
        if progress:
            progress.write(msg + "\n")
            progress.flush()

    say(f"detector: {sum(p.numel() for p in model.parameters())} params, {macs(model) / 1e6:.0f} M MACs per frame; "
        f"{len(train)} training frames, {len(val)} validation frames, {args.epochs} epochs")
    start = time.time()
    best, history = None, []
    if args.init:
        say(f"epoch 0 (--init {args.init}) validation: {json.dumps(evaluate(model, val, limit=600))}")
    hard = {}
    for epoch in range(args.epochs):
        order = list(range(len(train)))
        rng.shuffle(order)
        if args.hard_negatives > 0 and epoch + 1 >= args.mine_from and (epoch + 1 - args.mine_from) % args.mine_every == 0:
            # Hard-negative mining: what fools the model now (mostly sign lettering) is seen again
            # and again, instead of only when a random crop happens to hold it. Each mining looks
            # through other frames; what earlier ones found is kept.
            t = time.time()
            look = rng.sample(range(len(train)), min(args.mine_frames, len(train)))
            hard.update(mine_hard_negatives(model, train, look, args.mine_threshold))
            say(f"epoch {epoch + 1}: {sum(len(v) for v in hard.values())} hard negatives in {len(hard)} frames "
                f"({time.time() - t:.0f} s)")
        hard_frames = list(hard)
        tf = tl = 0.0
        for step in range(steps_per_epoch):
            idx = order[step * args.batch:(step + 1) * args.batch]
            n_hard = int(round(args.hard_negatives * len(idx))) if hard_frames else 0
            picked = {}
            if n_hard:
                extra = [rng.choice(hard_frames) for _ in range(n_hard)]
                idx = idx[:len(idx) - n_hard] + extra
                picked = {i: hard[i] for i in extra}
            x, heat, reg, regw, mask = batch(train, idx, rng, hard=picked)
            x = augment(x, args.aug, gen)
            out = model(x)
            focal, l1 = losses(out, heat, reg, regw, mask)
            loss = focal + 2.0 * l1
            opt.zero_grad()
            loss.backward()
            opt.step()
            sched.step()
            tf += focal.item()
            tl += l1.item()
            if step % 50 == 0:
                say(f"epoch {epoch + 1} step {step}/{steps_per_epoch} focal {tf / (step + 1):.4f} l1 {tl / (step + 1):.4f} "
                    f"({time.time() - start:.0f} s)")
        m = evaluate(model, val, limit=600)
        m["epoch"] = epoch + 1
        history.append(m)
        say(f"epoch {epoch + 1} validation: {json.dumps(m)}")
        score = m["recall_16px"] - 0.5 * m["false_plates_per_empty_frame"]
        if best is None or score >= best[0]:
            best = (score, epoch + 1)
            torch.save({k: v.contiguous() for k, v in model.state_dict().items()}, os.path.join(args.out, "detector.pt"))

    model.load_state_dict(torch.load(os.path.join(args.out, "detector.pt")))
    final = {f"threshold_{t}": evaluate(model, val, threshold=t) for t in (0.2, 0.3, 0.4, 0.5)}
    export_onnx(model, os.path.join(args.out, "detector.onnx"))
    write_parity(model, os.path.join(args.out, "parity.json"))
    metrics = {
        "input": {"name": "image", "shape": [1, 1, HEIGHT, WIDTH], "values": "raw grey 0..255, frame shrunk to fit, top-left, rest black"},
        "output": {"name": "grid", "shape": [1, CHANNELS, HEIGHT // STRIDE, WIDTH // STRIDE],
                   "values": f"channel 0: centre logit; 1..8: corners TL,TR,BR,BL as x,y offsets from the cell centre in units of {CORNER_UNIT:g} input px"},
        "params": sum(p.numel() for p in model.parameters()), "macs_per_frame": macs(model),
        "train": {"dir": args.train, "frames": len(train), "epochs": args.epochs, "batch": args.batch, "lr": args.lr,
                  "seed": args.seed, "augmentation": args.aug, "crop": [CROP_H, CROP_W], "best_epoch": best[1],
                  "hard_negatives": args.hard_negatives, "mine_from": args.mine_from, "mine_threshold": args.mine_threshold,
                  "mine_every": args.mine_every, "mine_frames": args.mine_frames,
                  "init": args.init, "freeze_bn": args.freeze_bn},
        "val": final, "history": history, "seconds": round(time.time() - start),
        "torch": torch.__version__, "python": platform.python_version(),
    }
    with open(os.path.join(args.out, "metrics.json"), "w") as f:
        json.dump(metrics, f, indent=2)
    say(f"done in {time.time() - start:.0f} s; best epoch {best[1]}; {json.dumps(final['threshold_0.3'])}")


if __name__ == "__main__":
    main()
