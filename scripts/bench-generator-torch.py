#!/usr/bin/env python3
"""Times a StyleGAN2(-ADA) synthesis network on PyTorch's CPU, for comparison with `pivot bench generator`.

The NVlabs code cannot be fetched on this machine, so this is a port of its fp32 CPU path written from
specs/stylegan2.md §3-5: the fused modulated convolution (G in eval mode, batch 1, as the projector and PTI
run it), `conv2d_resample` as a stride-2 transposed conv plus the [1,3,3,1] blur, and the reference
(non-CUDA) `upfirdn2d` and `bias_act`, which are what NVlabs runs on a CPU. Weights are random in the
official configs; the speed does not depend on their values. Not a dependency of Pivot: run it in a venv
with torch (python3 -m venv /tmp/lpips-venv && /tmp/lpips-venv/bin/pip install torch).

Three steps, as `pivot bench generator` times them:
  forward     synthesis under torch.no_grad();
  inversion   forward + backward to ws and the noise maps (weights frozen), as the projector steps;
  tuning      forward + backward to every synthesis parameter at fixed ws, as PTI's tuning steps.
"""
import argparse
import math
import statistics

import torch
import torch.nn.functional as F
from torch_timing import call_times

FILTER = torch.outer(torch.tensor([1.0, 3, 3, 1]), torch.tensor([1.0, 3, 3, 1])) / 64


def upfirdn2d(x, up, pad, gain):
    """NVlabs' reference upfirdn2d for the symmetric 4x4 filter: zero-insert, pad, depthwise conv."""
    n, c, h, w = x.shape
    if up > 1:
        x = F.pad(x.reshape(n, c, h, 1, w, 1), [0, up - 1, 0, 0, 0, up - 1]).reshape(n, c, h * up, w * up)
    x = F.pad(x, pad)
    f = (FILTER * gain).to(x.dtype)[None, None].repeat(c, 1, 1, 1)
    return F.conv2d(x, f, groups=c)


def bias_act(x, b, gain, clamp, lrelu):
    x = x + b.reshape(1, -1, 1, 1)
    if lrelu:
        x = F.leaky_relu(x, 0.2) * gain
    return x.clamp(-clamp, clamp) if clamp is not None else x


class Layer:
    """A SynthesisLayer (3x3, demodulated; up=1 or 2) or, with rgb=True, a ToRGB layer (1x1, no demodulation)."""

    def __init__(self, cin, cout, res, up=1, rgb=False):
        self.up, self.rgb, self.cin = up, rgb, cin
        k = 1 if rgb else 3
        self.affine_w = torch.randn(cin, 512)
        self.affine_b = torch.ones(cin)
        self.weight = torch.randn(cout, cin, k, k)
        self.bias = torch.zeros(cout)
        self.noise_strength = torch.tensor(0.1)
        self.noise_const = None if rgb else torch.randn(res, res)

    def params(self):
        p = [self.affine_w, self.affine_b, self.weight, self.bias]
        return p if self.rgb else p + [self.noise_strength]

    def __call__(self, x, w, clamp):
        s = w @ (self.affine_w / math.sqrt(512)).t() + self.affine_b
        if self.rgb:
            s = s / math.sqrt(self.cin)
        wm = self.weight * s.reshape(1, -1, 1, 1)
        if self.rgb:
            return bias_act(F.conv2d(x, wm), self.bias, 1, clamp, lrelu=False)
        wm = wm * (wm.square().sum(dim=[1, 2, 3]) + 1e-8).rsqrt().reshape(-1, 1, 1, 1)
        if self.up == 2:
            x = F.conv_transpose2d(x, wm.transpose(0, 1), stride=2)
            x = upfirdn2d(x, up=1, pad=[1, 1, 1, 1], gain=4)
        else:
            x = F.conv2d(x, wm, padding=1)
        x = x + self.noise_const * self.noise_strength
        return bias_act(x, self.bias, math.sqrt(2), clamp, lrelu=True)


class Synthesis:
    def __init__(self, resolution, channel_base, clamp, channel_max=512):
        ch = lambda r: min(channel_base // r, channel_max)
        self.clamp = clamp
        self.const = torch.randn(1, ch(4), 4, 4)
        self.blocks = [(None, Layer(ch(4), ch(4), 4), Layer(ch(4), 3, 4, rgb=True))]
        r = 8
        while r <= resolution:
            self.blocks.append((Layer(ch(r // 2), ch(r), r, up=2), Layer(ch(r), ch(r), r),
                                Layer(ch(r), 3, r, rgb=True)))
            r *= 2
        self.num_ws = 2 * int(math.log2(resolution)) - 2

    def params(self):
        return [self.const] + [p for block in self.blocks for layer in block if layer for p in layer.params()]

    def noise(self):
        return [layer.noise_const for block in self.blocks for layer in block[:2] if layer]

    def __call__(self, ws):
        """ws [1, num_ws, 512]; block r's conv0, conv1, torgb take slots j, j+1, j+2 and j advances by 2."""
        x, img, slot = self.const, None, 0
        for conv0, conv1, torgb in self.blocks:
            if conv0 is not None:
                x = conv0(x, ws[:, slot], self.clamp)
                slot += 1
            x = conv1(x, ws[:, slot], self.clamp)
            y = torgb(x, ws[:, slot + 1], self.clamp)
            img = y if img is None else upfirdn2d(img, up=2, pad=[2, 1, 2, 1], gain=4) + y
            slot += 1
        return img


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--res", type=int, choices=[256, 1024], default=256)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--threads", type=int, default=2)
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    torch.manual_seed(0)
    # paper256 as ADA trains it (conv_clamp 256); config F as the TF-converted ffhq.pkl has it (no clamp).
    g = Synthesis(256, 16384, clamp=256) if args.res == 256 else Synthesis(1024, 32768, clamp=None)
    ws = torch.randn(1, 512).repeat(g.num_ws, 1).unsqueeze(0)
    d_image = torch.randn(1, 3, args.res, args.res)

    def forward():
        with torch.no_grad():
            g(ws)

    def backward(tensors, w):
        for t in tensors:
            t.requires_grad_(True)
        (g(w) * d_image).sum().backward()
        for t in tensors:
            t.requires_grad_(False)
            t.grad = None

    def inversion():
        backward(g.noise(), ws.clone().requires_grad_(True))

    def tuning():
        backward(g.params(), ws)

    print(f"torch {torch.__version__}, {args.threads} threads, fp32, batch 1, noise const, "
          f"{args.res}x{args.res} ({'paper256' if args.res == 256 else 'config F'}), "
          f"best and median of {args.repeats} after one warm-up")
    for name, call in (("forward", forward), ("inversion (fwd + bwd to ws, noise)", inversion),
                       ("tuning (fwd + bwd to all weights)", tuning)):
        times = call_times(call, args.repeats)
        best, median = min(times), statistics.median(times)
        print(f"{name:36s} {best:7.3f} s {median:7.3f} s")


if __name__ == "__main__":
    main()
