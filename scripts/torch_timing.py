"""Timing shared by the PyTorch comparison scripts (bench-*-torch.py)."""
import time


def call_times(call, repeats):
    """Seconds of each of `repeats` calls, after one untimed warm-up call."""
    call()
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        call()
        times.append(time.perf_counter() - start)
    return times
