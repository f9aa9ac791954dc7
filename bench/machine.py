"""How fast is this machine? Three small probes, so bench tables from different machines
(or hours: the course's machines vary about 3x) can be compared.

- a pure-Python loop (interpreter speed: most of a notebook's small cells),
- the overhead of a tiny torch op (dispatcher cost: training loops of small models),
- a 1024x1024 float32 matmul in GFLOPS at torch's thread count (BLAS throughput: conv and
  linear layers).

Each is the median of several timed repeats after a warm-up. Used by bench/run.py.
"""
from __future__ import annotations

import statistics
import time


def _median_seconds(fn, repeats: int) -> float:
    fn()
    times = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times)


def python_loop_ns(n: int = 2_000_000, repeats: int = 5) -> float:
    """Nanoseconds per iteration of ``total += i * i`` in a plain for loop."""
    def loop():
        total = 0
        for i in range(n):
            total += i * i
        return total

    return _median_seconds(loop, repeats) / n * 1e9


def torch_op_us(n: int = 20_000, repeats: int = 5) -> float:
    """Microseconds per ``a + b`` on two 8-element tensors (the dispatcher's overhead)."""
    import torch

    a, b = torch.ones(8), torch.ones(8)

    def ops():
        for _ in range(n):
            a.add(b)

    return _median_seconds(ops, repeats) / n * 1e6


def matmul_gflops(size: int = 1024, repeats: int = 7, threads: int | None = None) -> tuple[float, int]:
    """GFLOPS of a ``size`` x ``size`` float32 matmul (2 n^3 flops) and torch's thread count."""
    import torch

    if threads is not None:
        torch.set_num_threads(threads)
    g = torch.Generator().manual_seed(0)
    a = torch.randn(size, size, generator=g)
    b = torch.randn(size, size, generator=g)
    seconds = _median_seconds(lambda: a @ b, repeats)
    return 2 * size ** 3 / seconds / 1e9, torch.get_num_threads()


def speed(threads: int = 2) -> dict:
    """All three probes; ``threads`` is torch's thread count for the matmul (the course's 2)."""
    gflops, used = matmul_gflops(threads=threads)
    return {"python_loop_ns": python_loop_ns(), "torch_op_us": torch_op_us(),
            "matmul_gflops": gflops, "torch_threads": used}


if __name__ == "__main__":
    s = speed()
    print(f"python loop {s['python_loop_ns']:.1f} ns/iter; torch op {s['torch_op_us']:.2f} us; "
          f"1024^2 matmul {s['matmul_gflops']:.1f} GFLOPS at {s['torch_threads']} threads")
