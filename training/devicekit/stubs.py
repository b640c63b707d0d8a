#!/usr/bin/python3
"""Copies the shared libraries a renderer binary needs into a folder, and stands in small stubs for
those it links but never calls, so that the folder is small enough to carry to another machine.

Kept, with everything they need: OpenCV's core, imgproc and imgcodecs (what rendering calls), dnn
(the detector, for engine patches), and
glibc (so the binary runs through the kept ld-linux, whatever the other machine has). Stubbed: every
other library the binary or a kept library names directly (the other OpenCV modules, which gocv
links whole; GDAL and GDCM, which imgcodecs links for formats never read here). A stub defines the
symbols the kept files import from the real library: functions that print their name to stderr and
return 0, data of the real size. Only GDALAllRegister is called, at start-up.

usage: stubs.py BINARY OUTDIR
"""
import os
import re
import subprocess
import sys

GLIBC = ["libc.so.6", "libm.so.6", "libpthread.so.0", "libdl.so.2", "librt.so.1", "libresolv.so.2"]
LOADER = "/lib64/ld-linux-x86-64.so.2"
KEEP_ROOTS = ["libopencv_core.so.406", "libopencv_imgproc.so.406", "libopencv_imgcodecs.so.406",
              "libopencv_dnn.so.406"]
NEVER_KEEP = ("libgdal", "libgdcm")


def path(name):
    for d in ("/usr/lib/x86_64-linux-gnu", "/lib/x86_64-linux-gnu"):
        p = os.path.join(d, name)
        if os.path.exists(p):
            return p
    raise SystemExit(f"stubs.py: {name} not found in /usr/lib/x86_64-linux-gnu or /lib/x86_64-linux-gnu")


def needed(p):
    out = subprocess.run(["readelf", "-d", p], capture_output=True, text=True, check=True).stdout
    return re.findall(r"\(NEEDED\).*\[(.*)\]", out)


def symbols(p, undefined):
    """(name without version, size, type) of a file's dynamic symbols."""
    args = ["nm", "-D", "-S", "--undefined-only" if undefined else "--defined-only", p]
    out = subprocess.run(args, capture_output=True, text=True, check=True).stdout
    for line in out.splitlines():
        parts = line.split()
        size, kind = (int(parts[1], 16), parts[2]) if len(parts) == 4 else (0, parts[-2])
        yield parts[-1].split("@")[0], size, kind


def main(binary, outdir):
    keep, todo = set(), list(KEEP_ROOTS)
    while todo:
        n = todo.pop()
        if n in keep or n in GLIBC or n.startswith(NEVER_KEEP) or n.startswith("ld-linux"):
            continue
        keep.add(n)
        todo += needed(path(n))
    importers = [binary] + [path(k) for k in sorted(keep)]
    stubs = {n for imp in importers for n in needed(imp) if not n.startswith("ld-linux")} - keep - set(GLIBC)
    kept_defs = {name for k in keep for name, _, _ in symbols(path(k), False)}
    wanted = {name for imp in importers for name, _, _ in symbols(imp, True)}

    os.makedirs(outdir, exist_ok=True)
    for s in sorted(stubs):
        lines = ["#include <unistd.h>"]
        for name, size, kind in symbols(path(s), False):
            if name not in wanted or name in kept_defs:
                continue
            wanted.discard(name)  # one definition
            if kind in "TtWiI":
                lines.append(f'long {name}(void) {{ static const char m[] = "stub {name}\\n"; '
                             f'write(2, m, sizeof m - 1); return 0; }}')
            else:
                lines.append(f"char {name}[{max(size, 8)}] __attribute__((aligned(16)));")
        src = os.path.join(outdir, s + ".c")
        with open(src, "w") as f:
            f.write("\n".join(lines) + "\n")
        subprocess.run(["gcc", "-shared", "-fPIC", "-w", "-o", os.path.join(outdir, s), src, "-Wl,-soname," + s],
                       check=True)
        os.remove(src)
        print(f"stub {s}: {len(lines) - 1} symbols")
    for k in sorted(keep) + GLIBC:
        subprocess.run(["cp", "-L", path(k), os.path.join(outdir, k)], check=True)
    subprocess.run(["cp", "-L", LOADER, os.path.join(outdir, "ld-linux-x86-64.so.2")], check=True)
    print(f"kept {len(keep)} libraries and glibc in {outdir}")


if __name__ == "__main__":
    if len(sys.argv) != 3:
        raise SystemExit(__doc__.strip().splitlines()[-1])
    main(sys.argv[1], sys.argv[2])
