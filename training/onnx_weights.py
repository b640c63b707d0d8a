"""Reads a model's weights back out of an ONNX file, for training on from an installed model.

The installed models in fixtures/models are ONNX only; the state dicts they were exported from
stay on the machine that trained them. `state_dict_from_onnx` rebuilds one from the ONNX file's
initializers, with no package beyond numpy and torch (the onnx package is not in Debian's
python3-torch set): a few lines of protobuf reading.

PyTorch's exporter keeps the parameter names it can, but folds a BatchNorm that directly follows
a convolution into that convolution's weight and a bias, under generated names. Such a pair is
given back as the convolution's weight and a BatchNorm that adds the bias and changes nothing else
(scale 1, running mean 0, running variance 1 - eps), so the model computes what the ONNX file does
in eval mode. Its statistics then describe no real batch: train on with --freeze-bn, which keeps
every BatchNorm on its running statistics.
"""

import numpy as np
import torch
import torch.nn as nn


def _varint(b, i):
    r = s = 0
    while True:
        x = b[i]
        i += 1
        r |= (x & 0x7F) << s
        s += 7
        if x < 0x80:
            return r, i


def _fields(b):
    """(field number, wire type, value) of each field of one protobuf message."""
    i = 0
    while i < len(b):
        key, i = _varint(b, i)
        num, wire = key >> 3, key & 7
        if wire == 0:
            v, i = _varint(b, i)
        elif wire == 1:
            v, i = b[i:i + 8], i + 8
        elif wire == 5:
            v, i = b[i:i + 4], i + 4
        elif wire == 2:
            n, i = _varint(b, i)
            v, i = b[i:i + n], i + n
        else:
            raise ValueError(f"protobuf wire type {wire} at byte {i}: not an ONNX file?")
        yield num, wire, v


# ModelProto.graph = 7; GraphProto.initializer = 5; TensorProto: dims = 1, data_type = 2,
# float_data = 4, name = 8, raw_data = 9. data_type 1 is float32.
def initializers(path):
    """The float32 initializers of an ONNX file, in file order: [(name, numpy array)]."""
    with open(path, "rb") as f:
        data = f.read()
    out = []
    for num, _, graph in _fields(data):
        if num != 7:
            continue
        for gnum, _, tensor in _fields(graph):
            if gnum != 5:
                continue
            dims, name, raw, floats, dtype = [], "", None, None, None
            for tnum, wire, v in _fields(tensor):
                if tnum == 1:
                    if wire == 0:
                        dims.append(v)
                    else:  # packed
                        j = 0
                        while j < len(v):
                            d, j = _varint(v, j)
                            dims.append(d)
                elif tnum == 2:
                    dtype = v
                elif tnum == 4 and wire == 2:
                    floats = np.frombuffer(v, "<f4")
                elif tnum == 8:
                    name = v.decode()
                elif tnum == 9:
                    raw = v
            if dtype != 1:
                continue
            a = np.frombuffer(raw, "<f4") if raw is not None else floats
            out.append((name, np.array(a, np.float32).reshape(dims)))
    if not out:
        raise SystemExit(f"{path}: no float weights found (not an ONNX model?)")
    return out


def state_dict_from_onnx(model, path):
    """A state dict for model (an untrained instance of the architecture the ONNX file was exported
    from) holding the file's weights; SystemExit naming what does not fit."""
    inits = initializers(path)
    state = model.state_dict()
    named = {n: a for n, a in inits if n in state}
    folded = [a for n, a in inits if n not in state]
    out = {}
    modules = list(model.named_modules())
    for idx, (mname, m) in enumerate(modules):
        if not isinstance(m, nn.Conv2d):
            continue
        wkey = f"{mname}.weight"
        if wkey in named:
            out[wkey] = torch.from_numpy(named[wkey])
            if m.bias is not None:
                out[f"{mname}.bias"] = torch.from_numpy(named[f"{mname}.bias"])
            continue
        # A folded Conv + BatchNorm: the next generated weight and bias, in file order.
        if len(folded) < 2 or folded[0].shape != tuple(m.weight.shape) or folded[1].shape != (m.out_channels,):
            raise SystemExit(f"{path}: no weights for {wkey} {tuple(m.weight.shape)} (is --arch right?)")
        w, b = folded.pop(0), folded.pop(0)
        out[wkey] = torch.from_numpy(w)
        bn_name, bn = modules[idx + 1] if idx + 1 < len(modules) else (None, None)
        if not isinstance(bn, nn.BatchNorm2d):
            raise SystemExit(f"{path}: {wkey} has a folded bias but no BatchNorm follows it in the model")
        out[f"{bn_name}.weight"] = torch.ones(m.out_channels)
        out[f"{bn_name}.bias"] = torch.from_numpy(b)
        out[f"{bn_name}.running_mean"] = torch.zeros(m.out_channels)
        out[f"{bn_name}.running_var"] = torch.full((m.out_channels,), 1.0 - bn.eps)
    for key, value in state.items():
        if key in out:
            continue
        if key in named:
            out[key] = torch.from_numpy(named[key])
        elif key.endswith("num_batches_tracked"):
            out[key] = torch.zeros_like(value)
        else:
            raise SystemExit(f"{path}: no weights for {key} (is --arch right?)")
    if folded:
        raise SystemExit(f"{path}: {len(folded)} weights left over (is --arch right?)")
    for key, value in out.items():
        if tuple(value.shape) != tuple(state[key].shape):
            raise SystemExit(f"{path}: {key} is {tuple(value.shape)}, the model wants {tuple(state[key].shape)}")
    return out


def train_mode(model, freeze_bn):
    """Puts model in training mode; with freeze_bn its BatchNorms stay on their running statistics
    (their scale and shift still learn)."""
    model.train()
    if freeze_bn:
        for m in model.modules():
            if isinstance(m, nn.BatchNorm2d):
                m.eval()


def load_weights(model, path, freeze_bn):
    """Loads a trained model's weights into model, from its state dict (.pt) or its ONNX export
    (which needs freeze_bn: see above)."""
    if path.endswith(".onnx"):
        if not freeze_bn:
            raise SystemExit("--init from an ONNX model needs --freeze-bn (see onnx_weights.py)")
        model.load_state_dict(state_dict_from_onnx(model, path))
    else:
        model.load_state_dict(torch.load(path, map_location="cpu"))


def undo_export_temperature(model, temperature):
    """Multiplies a line reader's classifier back by the --temperature its ONNX export was divided
    by, so that model computes the logits it was trained to."""
    with torch.no_grad():
        model.classify.weight *= temperature
        model.classify.bias *= temperature
