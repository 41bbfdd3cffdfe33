#!/usr/bin/env python3
"""Times LPIPS forward+backward (gradient to x0) with the `lpips` package on PyTorch, for comparison with
`pivot bench lpips`. Not a dependency of Pivot: run it in a throw-away virtual environment
(python3 -m venv /tmp/lpips-venv && /tmp/lpips-venv/bin/pip install torch lpips).

Trunk weights are random (pnet_rand=True; the speed does not depend on the values), heads are the real ones.
Two rows per case:
  lpips-package   lpips.LPIPS(x0, x1) as PTI calls it: both images go through the trunk every call;
  target-cached   the same arithmetic with the target's normalised features computed once, as Pivot does.
"""
import argparse
import statistics

import lpips
import torch
from torch_timing import call_times


def cached_distance(model, x0, target_features):
    taps = model.net.forward(model.scaling_layer(x0))
    total = 0
    for k, f0 in enumerate(taps):
        n0 = lpips.normalize_tensor(f0)
        total = total + lpips.spatial_average(model.lins[k].model((n0 - target_features[k]) ** 2), keepdim=True)
    return total


def time_case(net, size, repeats, threads):
    torch.set_num_threads(threads)
    torch.manual_seed(0)
    model = lpips.LPIPS(net=net, pnet_rand=True, verbose=False).eval()
    for p in model.parameters():
        p.requires_grad_(False)
    x1 = torch.rand(1, 3, size, size) * 2 - 1
    x0 = (torch.rand(1, 3, size, size) * 2 - 1).requires_grad_(True)
    with torch.no_grad():
        target = [lpips.normalize_tensor(f) for f in model.net.forward(model.scaling_layer(x1))]

    def package_call():
        x0.grad = None
        model(x0, x1).sum().backward()

    def cached_call():
        x0.grad = None
        cached_distance(model, x0, target).sum().backward()

    rows = []
    for name, call in (("lpips-package", package_call), ("target-cached", cached_call)):
        times = call_times(call, repeats)
        rows.append((name, min(times), statistics.median(times), max(times)))
    return rows


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--repeats", type=int, default=5)
    args = parser.parse_args()
    print(f"torch {torch.__version__}, lpips {lpips.__version__ if hasattr(lpips, '__version__') else '?'}, "
          f"{args.threads} threads, {args.repeats} timed calls after one warm-up")
    print(f"{'case':<22} {'variant':<14} {'min s':>8} {'median s':>9} {'max s':>8}")
    for net, size in (("vgg", 256), ("alex", 1024)):
        for name, lo, med, hi in time_case(net, size, args.repeats, args.threads):
            print(f"{net + ' ' + str(size) + 'x' + str(size):<22} {name:<14} {lo:8.3f} {med:9.3f} {hi:8.3f}")


if __name__ == "__main__":
    main()
