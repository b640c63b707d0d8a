"""Teaching a narrower line reader from a trained wide one.

A crop read must take at most a millisecond on one core; the wide reader's forward pass alone takes
about three. The slim reader (a quarter of the multiply-adds) runs in about one, but trained from
scratch for as long as the CPUs allow it reads several points worse. Two things close that gap here:

- prune_into starts the slim reader from the wide one's weights: in each layer it keeps the output
  channels that carry the most (the L1 norm of a channel's filter times its BatchNorm scale) and
  the matching input channels of the layer after. Both readers have the same layers and the same
  40 output columns, so what is kept is still a reader, only a worse one.
- distil_loss adds, to the CTC loss on the labels, the KL divergence of the student's per-column
  class distribution from the teacher's. The columns line up (same strides and padding), so the
  teacher says for every column which character, or blank, it sees there: far more than a label.
"""

import torch
import torch.nn as nn
import torch.nn.functional as F

from onnx_weights import state_dict_from_onnx, undo_export_temperature


def load_teacher(arch_cls, path, temperature):
    """The trained line reader in an ONNX file, in eval mode, its logits as trained: an export's
    classifier was divided by its --temperature, so it is multiplied back here."""
    teacher = arch_cls()
    teacher.load_state_dict(state_dict_from_onnx(teacher, path))
    undo_export_temperature(teacher, temperature)
    for p in teacher.parameters():
        p.requires_grad_(False)
    return teacher.eval()


def _convs_and_norms(model):
    """The feature convolutions in order, each with the BatchNorm that normalises its output."""
    mods = list(model.features)
    out = []
    for i, m in enumerate(mods):
        if isinstance(m, nn.Conv2d):
            bn = next(n for n in mods[i + 1:] if isinstance(n, nn.BatchNorm2d))
            out.append((m, bn))
    return out


def _importance(conv, bn):
    """How much each output channel carries: its filter's L1 norm times the BatchNorm's scale."""
    scale = (bn.weight / torch.sqrt(bn.running_var + bn.eps)).abs()
    return conv.weight.abs().sum(dim=(1, 2, 3)) * scale


def prune_into(student, teacher):
    """Sets student's weights to the teacher's most important channels (see the module docstring).
    The two must have the same layers, the student's no wider anywhere; returns the kept channel
    indices per layer."""
    s_layers, t_layers = _convs_and_norms(student), _convs_and_norms(teacher)
    if len(s_layers) != len(t_layers):
        raise SystemExit(f"prune: the student has {len(s_layers)} convolutions, the teacher {len(t_layers)}")
    kept = []
    keep_in = torch.arange(1)  # one grey input channel
    with torch.no_grad():
        for (sc, sb), (tc, tb) in zip(s_layers, t_layers):
            if sc.out_channels > tc.out_channels or sc.kernel_size != tc.kernel_size:
                raise SystemExit(f"prune: a student layer {tuple(sc.weight.shape)} does not fit in the teacher's "
                                 f"{tuple(tc.weight.shape)}")
            keep = torch.sort(torch.topk(_importance(tc, tb), sc.out_channels).indices).values
            sc.weight.copy_(tc.weight[keep][:, keep_in])
            for name in ("weight", "bias", "running_mean", "running_var"):
                getattr(sb, name).copy_(getattr(tb, name)[keep])
            kept.append(keep.tolist())
            keep_in = keep
        student.classify.weight.copy_(teacher.classify.weight[:, keep_in])
        student.classify.bias.copy_(teacher.classify.bias)
    return kept


def distil_loss(student_logits, teacher_logits, temperature=1.0):
    """KL(teacher || student) of the per-column class distributions at temperature, summed over
    the columns and averaged over the batch (the CTC loss's scale), times temperature squared so
    its gradients do not shrink as the temperature rises. Logits are [B, classes, columns]."""
    t = F.log_softmax(teacher_logits / temperature, dim=1)
    s = F.log_softmax(student_logits / temperature, dim=1)
    kl = (t.exp() * (t - s)).sum(dim=1)  # [B, columns]
    return kl.sum(dim=1).mean() * temperature * temperature
