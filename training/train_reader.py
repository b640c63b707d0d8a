#!/usr/bin/python3
"""Trains the UK number-plate reader: a small per-slot CNN classifier over 48x160 grey crops.

Reads prepared sets (images.u8 + labels.txt [+ conditions.txt]) written by the Go side, trains with
on-the-fly augmentation, evaluates on a validation set and writes reader.onnx (opset 11, imports in
OpenCV 4.6 DNN), reader.pt (state dict), parity.json (inputs and expected logits for a Go parity
test) and metrics.json (how the model was made and how well it reads).

Run with Debian's /usr/bin/python3 (python3-torch 1.13, CPU). See training/README.md.
"""

import argparse
import base64
import inspect
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

from distil import distil_loss, load_teacher, prune_into
from onnx_weights import load_weights, train_mode, undo_export_temperature

# The one place the class order is defined. Class 0 is "empty slot"; class k>=1 is ALPHABET[k-1].
ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
EMPTY = 0
NUM_CLASSES = len(ALPHABET) + 1  # 37
SLOTS = 8
HEIGHT, WIDTH = 48, 160
CHAR_TO_CLASS = {c: i + 1 for i, c in enumerate(ALPHABET)}

INPUT_SPEC = {
    "name": "image",
    "shape": ["B", 1, HEIGHT, WIDTH],
    "dtype": "float32",
    "values": "raw grey pixel values 0..255 (0 = black), row-major, NOT normalised: "
              "the model computes x/127.5 - 1 itself",
}
OUTPUT_SPEC = {
    "name": "slots",
    "shape": ["B", SLOTS, NUM_CLASSES],
    "dtype": "float32",
    "values": "logits (apply softmax over the last axis for probabilities); slot i is the i-th "
              "character in reading order (two-line plates: top line first), left-aligned; "
              "class 0 = empty (slots past the end of the text), class k>=1 = alphabet[k-1]",
    "decode": "argmax per slot; text = characters of the slots before the first empty slot",
}

# The line reader (--arch ctc) reads along the width: FRAMES columns, each a distribution over blank
# and the 36 characters, trained with CTC. Two-line crops reach it with their halves side by side
# (anpr models prepare --split-lines, ocr.PreprocessLines in Go), so every mark is one line.
FRAMES = 40
BLANK = 0
CTC_OUTPUT_SPEC = {
    "name": "frames",
    "shape": ["B", NUM_CLASSES, FRAMES],
    "dtype": "float32",
    "values": "logits, class-major: [b][k][t] is class k at column t, left to right (apply softmax over "
              "the class axis); class 0 = CTC blank, class k>=1 = alphabet[k-1]",
    "decode": "argmax per column, merge repeats, drop blanks (CTC greedy decoding)",
}


# ---------------------------------------------------------------------------------------------
# Data


class PreparedSet:
    """One prepared directory: images [N,1,48,160] uint8, targets [N,8] int64, optional conditions."""

    def __init__(self, path):
        self.path = path
        img_path = os.path.join(path, "images.u8")
        lab_path = os.path.join(path, "labels.txt")
        raw = np.fromfile(img_path, dtype=np.uint8)
        per = HEIGHT * WIDTH
        if raw.size % per != 0:
            raise SystemExit(f"{img_path}: {raw.size} bytes is not a multiple of {per} (48x160)")
        n = raw.size // per
        self.images = raw.reshape(n, 1, HEIGHT, WIDTH)
        with open(lab_path, encoding="ascii") as f:
            labels = [line.rstrip("\r\n") for line in f]
        if labels and labels[-1] == "" and len(labels) == n + 1:
            labels.pop()
        if len(labels) != n:
            raise SystemExit(f"{lab_path}: {len(labels)} labels for {n} images in {img_path}")
        self.labels = labels
        self.targets = encode_labels(labels, lab_path)
        self.conditions = None
        cond_path = os.path.join(path, "conditions.txt")
        if os.path.exists(cond_path):
            with open(cond_path, encoding="utf-8") as f:
                conds = [line.strip() for line in f]
            if conds and conds[-1] == "" and len(conds) == n + 1:
                conds.pop()
            if len(conds) != n:
                raise SystemExit(f"{cond_path}: {len(conds)} lines for {n} images")
            self.conditions = conds
        self.meta = None
        meta_path = os.path.join(path, "meta.json")
        if os.path.exists(meta_path):
            with open(meta_path) as f:
                self.meta = json.load(f)

    def __len__(self):
        return len(self.labels)

    def subset(self, idx):
        idx = np.asarray(idx)
        self.images = self.images[idx]
        self.targets = self.targets[idx]
        self.labels = [self.labels[i] for i in idx]
        if self.conditions is not None:
            self.conditions = [self.conditions[i] for i in idx]


def encode_labels(labels, where):
    t = np.zeros((len(labels), SLOTS), dtype=np.int64)
    for i, text in enumerate(labels):
        if not 1 <= len(text) <= SLOTS:
            raise SystemExit(f"{where} line {i + 1}: {text!r} has {len(text)} characters, want 1 to {SLOTS}")
        for j, c in enumerate(text):
            k = CHAR_TO_CLASS.get(c)
            if k is None:
                raise SystemExit(f"{where} line {i + 1}: {text!r} has {c!r}, want only A-Z0-9")
            t[i, j] = k
    return t


def decode(classes):
    """classes: [8] ints -> text up to the first empty slot."""
    out = []
    for k in classes:
        if k == EMPTY:
            break
        out.append(ALPHABET[k - 1])
    return "".join(out)


# ---------------------------------------------------------------------------------------------
# Model


class Reader(nn.Module):
    """conv3x3 (16,32,64,96,128) each with [maxpool2] BN ReLU, 4 pools to 3x10, then FC 3840->256->8*37.

    Pooling sits straight after the convolution, before BN and ReLU: the multiply-adds are the same,
    but BN and ReLU then run on a quarter of the activations. With channels_last this took training
    on 2 CPU cores from 5.1 to 3.2 s per 1,000 images.
    """

    def __init__(self, widths=(16, 32, 64, 96, 128), hidden=256, dropout=0.25):
        super().__init__()
        layers = []
        cin = 1
        for i, w in enumerate(widths):
            layers.append(nn.Conv2d(cin, w, 3, padding=1, bias=False))
            if i < len(widths) - 1:
                layers.append(nn.MaxPool2d(2))
            layers += [nn.BatchNorm2d(w), nn.ReLU(inplace=True)]
            cin = w
        self.features = nn.Sequential(*layers)
        feat = widths[-1] * (HEIGHT // 16) * (WIDTH // 16)
        self.dropout = nn.Dropout(dropout)
        self.fc1 = nn.Linear(feat, hidden)
        self.fc2 = nn.Linear(hidden, SLOTS * NUM_CLASSES)

    def forward(self, x):
        # Input is raw 0..255; (x/255 - 0.5)/0.5 == x/127.5 - 1. Exports as Mul + Sub.
        x = x * (1.0 / 127.5) - 1.0
        x = self.features(x)
        x = torch.flatten(x, 1)  # ONNX Flatten; never squeeze (OpenCV 4.6 importer)
        x = self.dropout(x)
        x = F.relu(self.fc1(x))
        x = self.fc2(x)
        return x.view(-1, SLOTS, NUM_CLASSES)  # ONNX Reshape with constant shape [-1,8,37]


class LineReader(nn.Module):
    """Fully convolutional CTC reader: conv3x3 (16,32,64,96) with pools 2,2,(2,1),(2,1) to 3x40, a
    3x3 conv that collapses the height to one row of 40 columns, a 1x5 context conv along the row, and
    a 1x1 classifier per column. Nothing is tied to a character's position, so a side band, a wide
    margin or odd spacing only moves where characters appear, not what the model must output.
    """

    def __init__(self, widths=(16, 32, 64, 96), top=128, dropout=0.2):
        super().__init__()
        pools = [(2, 2), (2, 2), (2, 1), (2, 1)]
        layers = []
        cin = 1
        for w, pool in zip(widths, pools):
            layers += [nn.Conv2d(cin, w, 3, padding=1, bias=False), nn.MaxPool2d(pool),
                       nn.BatchNorm2d(w), nn.ReLU(inplace=True)]
            cin = w
        # 48 rows / 16 = 3: a 3x3 conv without vertical padding leaves one row.
        layers += [nn.Conv2d(cin, top, (3, 3), padding=(0, 1), bias=False), nn.BatchNorm2d(top), nn.ReLU(inplace=True),
                   nn.Conv2d(top, top, (1, 5), padding=(0, 2), bias=False), nn.BatchNorm2d(top), nn.ReLU(inplace=True)]
        self.features = nn.Sequential(*layers)
        self.dropout = nn.Dropout(dropout)
        self.classify = nn.Conv2d(top, NUM_CLASSES, 1)

    def forward(self, x):
        x = x * (1.0 / 127.5) - 1.0
        x = self.features(x)
        x = self.classify(self.dropout(x))  # [B, 37, 1, 40]
        return x.view(-1, NUM_CLASSES, FRAMES)  # ONNX Reshape with a constant shape; never squeeze


class SlimLineReader(LineReader):
    """The line reader at about half the multiply-adds (21.5 M against 40 M): narrower early layers,
    where most of the work is, for crop reads under a millisecond on one core."""

    def __init__(self):
        super().__init__(widths=(12, 24, 48, 64), top=96)


class WideLineReader(LineReader):
    """The line reader at about twice the multiply-adds (84 M): to see what capacity buys."""

    def __init__(self):
        super().__init__(widths=(24, 48, 96, 128), top=192)


ARCHES = {"slots": Reader, "ctc": LineReader, "ctc-slim": SlimLineReader, "ctc-wide": WideLineReader}


def ctc_greedy(logits):
    """logits [B,37,T] -> [B,8] class array (left-aligned, 0-padded, cut at 8) by CTC greedy decoding."""
    best = logits.argmax(1).cpu().numpy()
    out = np.zeros((best.shape[0], SLOTS), dtype=np.int64)
    for i, row in enumerate(best):
        prev, j = BLANK, 0
        for k in row:
            if k != BLANK and k != prev and j < SLOTS:
                out[i, j] = k
                j += 1
            prev = k
    return out


def predict_classes(model, xb):
    """Per-slot classes [B,8] for either architecture."""
    out = model(xb)
    if isinstance(model, LineReader):
        return torch.from_numpy(ctc_greedy(out))
    return out.argmax(-1)


def save_state(model, path):
    """Saves the state dict with contiguous tensors, loadable by Reader().load_state_dict(torch.load(path))."""
    torch.save({k: v.contiguous() for k, v in model.state_dict().items()}, path)


def load_reader(path, arch="slots"):
    model = ARCHES[arch]()
    model.load_state_dict(torch.load(path, map_location="cpu"))
    return model.eval()


def count_macs(model):
    """Multiply-adds for one 48x160 image, counting Conv2d and Linear layers."""
    macs = [0]
    hooks = []

    def conv_hook(m, inp, out):
        macs[0] += out.numel() * (m.in_channels // m.groups) * m.kernel_size[0] * m.kernel_size[1]

    def lin_hook(m, inp, out):
        macs[0] += m.in_features * m.out_features

    for m in model.modules():
        if isinstance(m, nn.Conv2d):
            hooks.append(m.register_forward_hook(conv_hook))
        elif isinstance(m, nn.Linear):
            hooks.append(m.register_forward_hook(lin_hook))
    was_training = model.training
    model.eval()
    with torch.no_grad():
        model(torch.zeros(1, 1, HEIGHT, WIDTH))
    model.train(was_training)
    for h in hooks:
        h.remove()
    return macs[0]


# ---------------------------------------------------------------------------------------------
# Augmentation: batched, pure torch, on raw 0..255 float tensors [B,1,48,160].


def _u(n, lo, hi):
    return torch.rand(n) * (hi - lo) + lo


def _gauss_kernel(sigma):
    r = max(1, int(math.ceil(2.0 * sigma)))
    xs = torch.arange(-r, r + 1, dtype=torch.float32)
    k = torch.exp(-(xs ** 2) / (2 * sigma * sigma))
    return k / k.sum()


def _sep_blur(x, kx, ky):
    if kx is not None:
        r = kx.numel() // 2
        x = F.conv2d(F.pad(x, (r, r, 0, 0), mode="replicate"), kx.view(1, 1, 1, -1))
    if ky is not None:
        r = ky.numel() // 2
        x = F.conv2d(F.pad(x, (0, 0, r, r), mode="replicate"), ky.view(1, 1, -1, 1))
    return x


def augment(x, strength=1.0, invert=0.0):
    """Camera-like degradations, each applied per sample with some probability.

    Order follows the imaging chain: framing (detector crop error, tilt, perspective-ish shear),
    optics/resolution (downscale, focus and motion blur), exposure (contrast, brightness, gamma,
    uneven light), sensor noise, then compression blockiness.
    """
    if strength <= 0:
        return x
    s = strength
    b = x.shape[0]
    dev = x.device

    # Geometry: loose or tight detector crops, small rotation, shear, anisotropic scale.
    geo = torch.rand(b) < 0.9
    ang = _u(b, -8, 8) * s * math.pi / 180  # roadside photos are often tilted more than fixed cameras
    shear = _u(b, -0.15, 0.15) * s  # pixel-space x shift per pixel of y (about +-8.5 degrees)
    scale = 1.0 + _u(b, -0.12, 0.10) * s
    aspect = 1.0 + _u(b, -0.08, 0.08) * s
    tx = _u(b, -6, 6) * s * 2 / WIDTH
    ty = _u(b, -4, 4) * s * 2 / HEIGHT
    sx, sy = 1.0 / (scale * aspect), 1.0 / (scale / aspect)
    cos, sin = torch.cos(ang), torch.sin(ang)
    # Normalised coordinates are anisotropic (W != H); rotate in pixel space: scale by the ratio.
    r = WIDTH / HEIGHT
    theta = torch.zeros(b, 2, 3)
    theta[:, 0, 0] = sx * cos
    theta[:, 0, 1] = sx * (-sin + shear) / r
    theta[:, 1, 0] = sy * sin * r
    theta[:, 1, 1] = sy * cos
    theta[:, 0, 2] = tx
    theta[:, 1, 2] = ty
    ident = torch.tensor([[1.0, 0, 0], [0, 1.0, 0]])
    theta[~geo] = ident
    grid = F.affine_grid(theta.to(dev), list(x.shape), align_corners=False)
    x = F.grid_sample(x, grid, mode="bilinear", padding_mode="border", align_corners=False)

    # Resolution loss: distant plates are a few pixels high and upsampled by the pipeline.
    low = torch.rand(b) < 0.3 * min(1.0, s)
    bucket = torch.randint(0, 3, (b,))
    for j, (lo, hi) in enumerate(((0.3, 0.5), (0.5, 0.7), (0.7, 0.9))):
        idx = (low & (bucket == j)).nonzero().flatten()
        if idx.numel() == 0:
            continue
        f = float(_u(1, lo, hi))
        h2, w2 = max(8, int(HEIGHT * f)), max(24, int(WIDTH * f))
        small = F.interpolate(x[idx], size=(h2, w2), mode="bilinear", align_corners=False, antialias=True)
        x[idx] = F.interpolate(small, size=(HEIGHT, WIDTH), mode="bilinear", align_corners=False)

    # Focus blur.
    for sigma in (0.6, 1.0, 1.5):
        idx = (torch.rand(b) < 0.1 * min(1.0, s)).nonzero().flatten()
        if idx.numel():
            k = _gauss_kernel(sigma * s ** 0.5).to(dev)
            x[idx] = _sep_blur(x[idx], k, k)
    # Horizontal motion blur (moving vehicle, long exposure at night).
    idx = (torch.rand(b) < 0.12 * min(1.0, s)).nonzero().flatten()
    if idx.numel():
        n = random.choice((3, 5, 7))
        x[idx] = _sep_blur(x[idx], torch.full((n,), 1.0 / n, device=dev), None)

    # Exposure: contrast about the mean, brightness, gamma.
    mean = x.mean(dim=(1, 2, 3), keepdim=True)
    c = (1.0 + _u(b, -0.5, 0.3) * s).view(b, 1, 1, 1).to(dev)
    br = (_u(b, -40, 40) * s).view(b, 1, 1, 1).to(dev)
    x = ((x - mean) * c + mean + br).clamp(0, 255)
    g = torch.exp(_u(b, -0.45, 0.45) * s).view(b, 1, 1, 1).to(dev)
    x = 255.0 * (x / 255.0).clamp_min(1e-6) ** g

    # Uneven light: a linear ramp across the plate (shadow edge, headlight glare).
    idx = (torch.rand(b) < 0.3 * min(1.0, s)).nonzero().flatten()
    if idx.numel():
        n = idx.numel()
        a = _u(n, 0, 2 * math.pi)
        gy = torch.linspace(-1, 1, HEIGHT).view(1, HEIGHT, 1)
        gx = torch.linspace(-1, 1, WIDTH).view(1, 1, WIDTH)
        ramp = torch.cos(a).view(n, 1, 1) * gx + torch.sin(a).view(n, 1, 1) * gy * (HEIGHT / WIDTH)
        amp = _u(n, 20, 70).view(n, 1, 1) * s
        x[idx] = x[idx] + (ramp * amp).unsqueeze(1).to(dev)

    # Sensor noise.
    sig = (_u(b, 0, 12) * s).view(b, 1, 1, 1).to(dev)
    x = x + torch.randn_like(x) * sig

    # Compression: per 8x8 block offsets (a cheap stand-in for JPEG/H.264 block artefacts).
    idx = (torch.rand(b) < 0.2 * min(1.0, s)).nonzero().flatten()
    if idx.numel():
        blk = torch.randn(idx.numel(), 1, HEIGHT // 8, WIDTH // 8, device=dev) * (6 * s)
        x[idx] = x[idx] + F.interpolate(blk, scale_factor=8, mode="nearest")

    x = x.clamp(0, 255)
    # Polarity: light characters on a dark ground (black-and-silver plates, and plates that
    # infrared or glare turns over), so the first look reads them, not only the inverted second.
    if invert > 0:
        idx = (torch.rand(b) < invert).nonzero().flatten()
        if idx.numel():
            x[idx] = 255.0 - x[idx]

    # Quantise like a real 8-bit image.
    return x.round()


# ---------------------------------------------------------------------------------------------
# Evaluation


@torch.no_grad()
def evaluate(model, images, targets, conditions=None, batch=512):
    modes = [(m, m.training) for m in model.modules()]  # restored after: frozen BatchNorms stay frozen
    model.eval()
    dev = next(model.parameters()).device
    preds = []
    for i in range(0, len(images), batch):
        xb = torch.from_numpy(images[i:i + batch]).to(dev).float().contiguous(memory_format=torch.channels_last)
        preds.append(predict_classes(model, xb).cpu())
    for m, training in modes:
        m.train(training)
    pred = torch.cat(preds).numpy() if preds else np.zeros((0, SLOTS), dtype=np.int64)
    return score(pred, targets, conditions)


def score(pred, targets, conditions=None):
    n = len(targets)
    if n == 0:
        return {"count": 0}, np.zeros(0, dtype=bool)
    # Truncate predictions at the first empty slot, as the decoder does, before comparing.
    pred = pred.copy()
    for i in range(n):
        z = np.nonzero(pred[i] == EMPTY)[0]
        if z.size:
            pred[i, z[0]:] = EMPTY
    slot_ok = pred == targets
    plate_ok = slot_ok.all(axis=1)
    real = targets != EMPTY
    out = {
        "count": int(n),
        "plate_exact": float(plate_ok.mean()),
        # Per character of the true text (slot-aligned), plus whether the length was right.
        "char_accuracy": float(slot_ok[real].mean()),
        "length_accuracy": float(((pred != EMPTY).sum(1) == real.sum(1)).mean()),
        "slot_accuracy": [float(v) for v in slot_ok.mean(0)],
    }
    if conditions is not None:
        per = {}
        conds = np.array(conditions)
        for c in sorted(set(conditions)):
            m = conds == c
            per[c] = {
                "count": int(m.sum()),
                "plate_exact": float(plate_ok[m].mean()),
                "char_accuracy": float(slot_ok[m][real[m]].mean()),
            }
        out["per_condition"] = per
    return out, plate_ok


# ---------------------------------------------------------------------------------------------
# ONNX export and checks


def export_onnx(model, path):
    model.eval()
    dummy = torch.zeros(1, 1, HEIGHT, WIDTH)
    name = "frames" if isinstance(model, LineReader) else "slots"
    extra = {}
    if "dynamo" in inspect.signature(torch.onnx.export).parameters:
        extra["dynamo"] = False  # PyTorch 2.x: the TorchScript exporter, which writes opset 11
    torch.onnx.export(
        model, dummy, path, opset_version=11, input_names=["image"], output_names=[name],
        dynamic_axes={"image": {0: "batch"}, name: {0: "batch"}}, do_constant_folding=True, **extra,
    )


def _varints(buf):
    """Yields (field, wiretype, value) from a protobuf message (value: int or bytes)."""
    i, n = 0, len(buf)

    def varint():
        nonlocal i
        v, shift = 0, 0
        while True:
            b = buf[i]
            i += 1
            v |= (b & 0x7F) << shift
            if b < 0x80:
                return v
            shift += 7

    while i < n:
        key = varint()
        field, wt = key >> 3, key & 7
        if wt == 0:
            yield field, wt, varint()
        elif wt == 1:
            yield field, wt, buf[i:i + 8]
            i += 8
        elif wt == 2:
            ln = varint()
            yield field, wt, buf[i:i + ln]
            i += ln
        elif wt == 5:
            yield field, wt, buf[i:i + 4]
            i += 4
        else:
            raise ValueError(f"unsupported wire type {wt}")


def onnx_op_types(path):
    """Op types in the ONNX graph, read without the onnx package (ModelProto.graph=7, node=1, op_type=4)."""
    with open(path, "rb") as f:
        model = f.read()
    ops, opset = [], None
    for field, wt, val in _varints(model):
        if field == 7 and wt == 2:
            for gf, gwt, gval in _varints(val):
                if gf == 1 and gwt == 2:
                    for nf, nwt, nval in _varints(gval):
                        if nf == 4 and nwt == 2:
                            ops.append(nval.decode())
        elif field == 8 and wt == 2:  # opset_import: OperatorSetIdProto {domain=1, version=2}
            for of, owt, oval in _varints(val):
                if of == 2 and owt == 0:
                    opset = oval
    return ops, opset


def check_with_cv2(onnx_path, images, expected):
    try:
        import cv2  # noqa: F401
    except ImportError:
        return None
    net = cv2.dnn.readNetFromONNX(onnx_path)
    diffs = []
    for img, exp in zip(images, expected):
        net.setInput(img[None].astype(np.float32))
        out = net.forward().reshape(exp.shape)
        diffs.append(float(np.abs(out - exp).max()))
    return max(diffs)


# ---------------------------------------------------------------------------------------------
# Training


class Progress:
    def __init__(self, path):
        self.f = open(path, "a", buffering=1) if path else None

    def __call__(self, line):
        print(line, flush=True)
        if self.f:
            self.f.write(line + "\n")
            self.f.flush()


def parse_args(argv):
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--train", action="append", required=True, metavar="DIR", help="prepared set; repeat for more")
    p.add_argument("--val", required=True, metavar="DIR", help="prepared validation set")
    p.add_argument("--out", required=True, metavar="DIR", help="writes reader.onnx, reader.pt, metrics.json, parity.json")
    p.add_argument("--arch", choices=sorted(ARCHES), default="slots",
                   help="slots: one classifier per character slot; ctc: line reader (sets from --split-lines)")
    p.add_argument("--epochs", type=int, default=20)
    p.add_argument("--batch", type=int, default=128)
    p.add_argument("--lr", type=float, default=1e-3, help="peak learning rate of the one-cycle schedule")
    p.add_argument("--weight-decay", type=float, default=1e-4)
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--threads", type=int, default=2)
    p.add_argument("--limit", type=int, default=0, help="use at most N training and N validation images (smoke runs)")
    p.add_argument("--aug", type=float, default=1.0, help="augmentation strength; 0 turns it off")
    p.add_argument("--invert", type=float, default=0.0,
                   help="share of training crops inverted (light characters on a dark ground)")
    p.add_argument("--progress", metavar="FILE", help="append progress lines here too")
    p.add_argument("--log-every", type=int, default=50, help="progress line every N batches")
    p.add_argument("--init", metavar="PT|ONNX",
                   help="start from this reader.pt, or an installed reader.onnx, of the same --arch instead of random weights")
    p.add_argument("--init-temperature", type=float, default=1.0,
                   help="the --temperature the --init ONNX model was exported at: its classifier is multiplied "
                        "back by it, so that training goes on from the trained weights")
    p.add_argument("--teacher", metavar="ONNX",
                   help="a trained line reader (its ONNX export) to learn from: the loss adds the KL divergence "
                        "of each column's class distribution from the teacher's (training/distil.py)")
    p.add_argument("--teacher-arch", choices=sorted(ARCHES), default="ctc-wide", help="the --teacher's architecture")
    p.add_argument("--teacher-temperature", type=float, default=1.0,
                   help="the --temperature the --teacher was exported at (its classifier is multiplied back by it)")
    p.add_argument("--distil", type=float, default=1.0, help="with --teacher: the weight of its term in the loss")
    p.add_argument("--distil-temperature", type=float, default=1.0,
                   help="with --teacher: the temperature both models' columns are softened at for it")
    p.add_argument("--prune", action="store_true",
                   help="with --teacher: start from the teacher's weights, keeping in each layer the channels "
                        "that carry most (--arch must be a narrower line reader of the same layers). Without --freeze-bn its "
                        "BatchNorms relearn their statistics, which pruning changed")
    p.add_argument("--freeze-bn", action="store_true",
                   help="keep every BatchNorm on its running statistics (training on from an ONNX model needs it)")
    p.add_argument("--device", default="cpu", help="torch device: cpu, or cuda where a GPU is lent")
    p.add_argument("--time-budget", type=float, default=0,
                   help="seconds from start to the end of training: the schedule follows the clock and the run "
                        "stops when it is spent, or after --epochs, whichever is first (0: --epochs alone)")
    p.add_argument("--finish-seconds", type=float, default=20,
                   help="with --time-budget: seconds kept back for the final evaluation and saving")
    p.add_argument("--skip-export", action="store_true",
                   help="write reader.pt and metrics.json only (export later with --export-only)")
    p.add_argument("--export-only", action="store_true",
                   help="export OUT/reader.pt (from a --skip-export run) and complete OUT/metrics.json")
    p.add_argument("--temperature", type=float, default=1.0,
                   help="divide the exported model's logits by this (under 1 makes its reads surer); reader.pt "
                        "keeps the trained weights")
    args = p.parse_args(argv)
    # Checked here, not at export: a bad value should not cost a whole training run first.
    if args.temperature != 1.0 and not (args.temperature > 0 and issubclass(ARCHES[args.arch], LineReader)):
        p.error(f"--temperature {args.temperature}: want a number above 0, for a line reader (--arch ctc...)")
    if args.init_temperature != 1.0 and not (args.init_temperature > 0 and args.init
                                             and issubclass(ARCHES[args.arch], LineReader)):
        p.error(f"--init-temperature {args.init_temperature}: want a number above 0, with --init of a line reader")
    if args.teacher and not args.teacher_temperature > 0:
        p.error(f"--teacher-temperature {args.teacher_temperature}: want a number above 0")
    if args.teacher and not (issubclass(ARCHES[args.arch], LineReader)
                             and issubclass(ARCHES[args.teacher_arch], LineReader)):
        p.error("--teacher: both --arch and --teacher-arch must be line readers (ctc...): their columns must line up")
    if args.prune and not (args.teacher and not args.init):
        p.error("--prune: needs --teacher, and no --init (the weights come from the teacher)")
    return args


def one_cycle(f, max_lr, pct_start=0.15, div=25.0, final_div=1e4):
    """PyTorch's OneCycleLR (cosine, Adam's beta1 cycled 0.95 -> 0.85 -> 0.95) at fraction f of the run."""
    def cos(a, b, p):
        return b + (a - b) / 2 * (1 + math.cos(math.pi * p))
    lo = max_lr / div
    if f < pct_start:
        p = f / pct_start
        return cos(lo, max_lr, p), cos(0.95, 0.85, p)
    p = (f - pct_start) / (1 - pct_start)
    return cos(max_lr, lo / final_div, p), cos(0.85, 0.95, p)


def main(argv):
    args = parse_args(argv)
    torch.set_num_threads(args.threads)
    torch.set_num_interop_threads(1)
    random.seed(args.seed)
    np.random.seed(args.seed)
    torch.manual_seed(args.seed)
    os.makedirs(args.out, exist_ok=True)
    log = Progress(args.progress)
    t_start = time.time()
    dev = torch.device(args.device)

    val = PreparedSet(args.val)
    rng = np.random.default_rng(args.seed)
    if args.export_only:
        # Finish a model trained elsewhere (on a GPU machine with another PyTorch): export with
        # this PyTorch, write parity data and complete its metrics.json.
        with open(os.path.join(args.out, "metrics.json")) as f:
            metrics = json.load(f)
        model = load_reader(os.path.join(args.out, "reader.pt"), args.arch)
        finish(args, log, model, val, metrics, t_start)
        return

    sets = [PreparedSet(d) for d in args.train]
    images = np.concatenate([s.images for s in sets]) if len(sets) > 1 else sets[0].images
    targets = np.concatenate([s.targets for s in sets])
    if args.limit and len(images) > args.limit:
        idx = np.sort(rng.choice(len(images), args.limit, replace=False))
        images, targets = images[idx], targets[idx]
    if args.limit and len(val) > args.limit:
        val.subset(np.sort(rng.choice(len(val), args.limit, replace=False)))
    n = len(images)
    log(f"data train={n} from {args.train} val={len(val)} from {args.val} "
        f"load={time.time() - t_start:.1f}s device={dev}")

    # channels_last makes oneDNN's convolutions and their backward about 20% faster on CPU.
    model = ARCHES[args.arch]()
    if args.init:
        # Go on from a trained model's weights (the same --arch): more data or epochs for it.
        load_weights(model, args.init, args.freeze_bn)
        log(f"weights from {args.init}")
        if args.init_temperature != 1.0:
            undo_export_temperature(model, args.init_temperature)
            log(f"classifier multiplied by --init-temperature {args.init_temperature}")
    teacher = None
    if args.teacher:
        teacher = load_teacher(ARCHES[args.teacher_arch], args.teacher, args.teacher_temperature)
        log(f"teacher {args.teacher} ({args.teacher_arch}, {count_macs(teacher) / 1e6:.1f} M multiply-adds), "
            f"distil weight {args.distil} at temperature {args.distil_temperature}")
        if args.prune:
            kept = prune_into(model, teacher)
            log(f"pruned from the teacher: kept {[len(k) for k in kept]} channels")
        teacher = teacher.to(memory_format=torch.channels_last).to(dev)
    model = model.to(memory_format=torch.channels_last)
    ctc = isinstance(model, LineReader)
    for st in sets + [val]:
        split = bool((st.meta or {}).get("split_lines"))
        if split != ctc:
            raise SystemExit(f"{st.path}: split_lines={split} in meta.json, but --arch {args.arch} wants "
                             f"{'a set from models prepare --split-lines' if ctc else 'a set without --split-lines'}")
    params = sum(p.numel() for p in model.parameters())
    macs = count_macs(model)
    log(f"model params={params} macs={macs} ({macs / 1e6:.1f} M multiply-adds per image)")
    model = model.to(dev)
    # On a GPU the whole set lives in its memory; batches are gathered there.
    images_t = torch.from_numpy(images).to(dev) if dev.type != "cpu" else None
    targets_t = torch.from_numpy(targets)

    steps_per_epoch = max(1, n // args.batch)  # drop the ragged last batch (BatchNorm)

    def step_loss(bi):
        if images_t is not None:
            xb = images_t[torch.from_numpy(bi).to(dev)].float()
        else:
            xb = torch.from_numpy(images[bi]).float()
        yb = targets_t[bi]
        xb = augment(xb, args.aug, args.invert).contiguous(memory_format=torch.channels_last)
        logits = model(xb)
        if ctc:
            # CTC over the 40 columns; targets are the slot classes before the padding.
            lengths = (yb != EMPTY).sum(1)
            flat = yb[yb != EMPTY]
            logp = F.log_softmax(logits, 1).permute(2, 0, 1)  # [T, B, C]
            loss = F.ctc_loss(logp, flat.to(dev), torch.full((len(bi),), FRAMES, dtype=torch.long), lengths,
                              blank=BLANK, reduction="sum", zero_infinity=True) / len(bi)
            if teacher is not None:
                with torch.no_grad():
                    taught = teacher(xb)
                loss = loss + args.distil * distil_loss(logits, taught, args.distil_temperature)
            return loss
        # Cross-entropy summed over the 8 slots, averaged over the batch.
        return F.cross_entropy(logits.reshape(-1, NUM_CLASSES), yb.to(dev).reshape(-1), reduction="sum") / len(bi)

    epochs = args.epochs
    total_steps = epochs * steps_per_epoch
    opt = torch.optim.AdamW(model.parameters(), lr=args.lr, weight_decay=args.weight_decay)
    if args.init or args.prune:
        res, _ = evaluate(model, val.images, val.targets)
        log(f"epoch=0 (--init or --prune) val_plate_exact={res['plate_exact']:.4f} val_char_accuracy={res['char_accuracy']:.4f}")
    train_mode(model, args.freeze_bn)

    # The one-cycle schedule runs over a fraction of the run done: of the steps of --epochs, or with
    # --time-budget of the wall-clock time left for training, whichever is further on. A lent GPU
    # machine's minutes are then spent whatever share of the GPU this run gets (other trainings
    # beside it), and the run still ends annealed: it may stop inside an epoch.
    t_train = time.time()
    train_budget = args.time_budget - (t_train - t_start) - args.finish_seconds if args.time_budget > 0 else 0
    if args.time_budget > 0:
        if train_budget <= 0:
            raise SystemExit(f"--time-budget {args.time_budget}s: nothing left to train after loading "
                             f"({t_train - t_start:.0f}s) and --finish-seconds {args.finish_seconds}")
        log(f"time budget {args.time_budget}s: training for {train_budget:.0f}s or {epochs} epochs of "
            f"{steps_per_epoch} steps, whichever ends first")

    def progress(steps_done):
        f = steps_done / total_steps
        if train_budget > 0:
            f = max(f, (time.time() - t_train) / train_budget)
        return min(1.0, f)

    history = []
    img_seconds = [0.0, 0]  # forward+backward+step time, images
    steps_done, done, epoch = 0, False, 0
    lr = args.lr
    while not done:
        epoch += 1
        order = torch.randperm(n).numpy()
        run_loss, run_n, t_epoch, ep_steps = 0.0, 0, time.time(), 0
        for step in range(steps_per_epoch):
            f = progress(steps_done)
            if f >= 1.0:
                done = True
                break
            lr, beta1 = one_cycle(f, args.lr)
            for g in opt.param_groups:
                g["lr"] = lr
                g["betas"] = (beta1, g["betas"][1])
            bi = np.sort(order[step * args.batch:(step + 1) * args.batch])
            t0 = time.time()
            loss = step_loss(bi)
            opt.zero_grad(set_to_none=True)
            loss.backward()
            opt.step()
            img_seconds[0] += time.time() - t0
            img_seconds[1] += len(bi)
            run_loss += float(loss) * len(bi)
            run_n += len(bi)
            steps_done += 1
            ep_steps += 1
            if (step + 1) % args.log_every == 0:
                log(f"epoch={epoch} batch={step + 1}/{steps_per_epoch} loss={run_loss / run_n:.4f} "
                    f"lr={lr:.2e} elapsed={time.time() - t_start:.1f}s")
        if steps_done >= total_steps:
            done = True
        if ep_steps == 0:
            break
        ep_time = time.time() - t_epoch
        res, _ = evaluate(model, val.images, val.targets)
        rec = {"epoch": epoch, "steps": ep_steps, "loss": run_loss / max(1, run_n), "epoch_seconds": round(ep_time, 1),
               "val_plate_exact": res["plate_exact"], "val_char_accuracy": res["char_accuracy"]}
        history.append(rec)
        log(f"epoch={epoch} done steps={ep_steps} loss={rec['loss']:.4f} val_plate_exact={res['plate_exact']:.4f} "
            f"val_char_accuracy={res['char_accuracy']:.4f} epoch_time={ep_time:.1f}s "
            f"elapsed={time.time() - t_start:.1f}s")
        # Checkpoint every epoch so a stopped run still leaves a usable state dict.
        save_state(model, os.path.join(args.out, "reader.pt"))
    epochs = round(steps_done / steps_per_epoch, 2)
    train_seconds = time.time() - t_train

    per_k = 1000 * img_seconds[0] / max(1, img_seconds[1])
    metrics = {
        "command": " ".join([sys.executable] + sys.argv),
        "args": vars(args),
        "seed": args.seed,
        "data": {
            "train": [{"dir": os.path.abspath(s.path), "count": len(s), "meta": s.meta} for s in sets],
            "train_used": int(n),
            "val": {"dir": os.path.abspath(args.val), "count": len(val), "meta": val.meta},
        },
        "epochs": epochs,
        "batch": args.batch,
        "train_seconds": round(train_seconds, 1),
        "seconds_per_1000_train_images": round(per_k, 3),
        "params": int(params),
        "macs_per_image": int(macs),
        "alphabet": ALPHABET,
        "classes": ["<empty>"] + list(ALPHABET),
        "slots": SLOTS,
        "arch": args.arch,
        "input": INPUT_SPEC,
        "output": CTC_OUTPUT_SPEC if ctc else OUTPUT_SPEC,
        "history": history,
        "environment": {"torch": torch.__version__, "numpy": np.__version__,
                        "python": platform.python_version(), "threads": args.threads, "device": str(dev)},
    }
    if args.skip_export:
        model.eval()
        final, _ = evaluate(model, val.images, val.targets, val.conditions)
        metrics["val"] = final
        save_state(model.cpu(), os.path.join(args.out, "reader.pt"))
        with open(os.path.join(args.out, "metrics.json"), "w") as f:
            json.dump(metrics, f, indent=2)
        log(f"final val plate_exact={final['plate_exact']:.4f}; wrote reader.pt and metrics.json "
            f"(no ONNX: --skip-export); total {time.time() - t_start:.1f}s")
        return
    save_state(model.cpu(), os.path.join(args.out, "reader.pt"))
    # Export a plain (contiguous) copy so nothing about the training memory layout reaches ONNX.
    model = load_reader(os.path.join(args.out, "reader.pt"), args.arch)
    finish(args, log, model, val, metrics, t_start)


def finish(args, log, model, val, metrics, t_start):
    """Scores the trained model on the validation set, exports reader.onnx, writes parity.json and
    metrics.json."""
    ctc = isinstance(model, LineReader)
    model.eval()
    if args.temperature != 1.0:
        # Scaling the last layer scales the logits: the argmax, so every read, stays, while the
        # probabilities the Go side turns into confidences sharpen (T < 1) or soften (checked in
        # parse_args).
        with torch.no_grad():
            model.classify.weight /= args.temperature
            model.classify.bias /= args.temperature
        log(f"temperature {args.temperature}: logits divided by it in the exported model")
    metrics["temperature"] = args.temperature
    final, plate_ok = evaluate(model, val.images, val.targets, val.conditions)
    log(f"final val plate_exact={final['plate_exact']:.4f} char_accuracy={final['char_accuracy']:.4f}")
    if "per_condition" in final:
        for c, r in final["per_condition"].items():
            log(f"  condition={c} count={r['count']} plate_exact={r['plate_exact']:.4f} "
                f"char_accuracy={r['char_accuracy']:.4f}")
    # A few misreads make the numbers concrete.
    with torch.no_grad():
        errs = []
        for i in np.nonzero(~plate_ok)[0][:20]:
            p = predict_classes(model, torch.from_numpy(val.images[i:i + 1]).float())[0].tolist()
            errs.append({"index": int(i), "truth": val.labels[i], "read": decode(p)})
    final["sample_errors"] = errs

    onnx_path = os.path.join(args.out, "reader.onnx")
    export_onnx(model, onnx_path)
    ops, opset = onnx_op_types(onnx_path)
    if "Squeeze" in ops or "Unsqueeze" in ops:
        raise SystemExit(f"{onnx_path}: graph has Squeeze/Unsqueeze, which OpenCV 4.6 cannot import: {ops}")

    # Parity data for the Go side: the first K val images and the PyTorch logits for them.
    k = min(4, len(val))
    par_imgs = val.images[:k]
    with torch.no_grad():
        par_logits = model(torch.from_numpy(par_imgs).float()).numpy()
        par_reads = [decode(r) for r in predict_classes(model, torch.from_numpy(par_imgs).float()).tolist()]
    with open(os.path.join(args.out, "parity.json"), "w") as f:
        json.dump({
            "about": "first images of the val set and PyTorch logits for them; the ONNX model run "
                     "through OpenCV DNN should match within ~1e-4",
            "val": os.path.abspath(args.val),
            "height": HEIGHT, "width": WIDTH, "slots": SLOTS, "classes": NUM_CLASSES, "arch": args.arch,
            "output": CTC_OUTPUT_SPEC if ctc else OUTPUT_SPEC,
            "alphabet": ALPHABET,
            "cases": [{
                "label": val.labels[i],
                "read": par_reads[i],
                "pixels_u8_base64": base64.b64encode(par_imgs[i].tobytes()).decode(),
                "logits": [[round(float(v), 6) for v in row] for row in par_logits[i]],
            } for i in range(k)],
        }, f)
    cv2_diff = check_with_cv2(onnx_path, par_imgs.astype(np.float32), par_logits)
    if cv2_diff is None:
        log("cv2 not available: ONNX import by OpenCV not checked here (check it in Go)")
    else:
        log(f"cv2 DNN max abs diff vs PyTorch: {cv2_diff:.2e}")

    metrics["onnx"] = {"file": "reader.onnx", "opset": opset, "ops": sorted(set(ops)), "cv2_max_abs_diff": cv2_diff,
                       "exported_with": {"torch": torch.__version__, "python": platform.python_version()}}
    metrics["val"] = final
    with open(os.path.join(args.out, "metrics.json"), "w") as f:
        json.dump(metrics, f, indent=2)
    log(f"wrote {onnx_path}, reader.pt, parity.json, metrics.json to {args.out}; "
        f"{metrics.get('seconds_per_1000_train_images')}s per 1000 training images (fwd+bwd+step); "
        f"total {time.time() - t_start:.1f}s")


if __name__ == "__main__":
    main(sys.argv[1:])
