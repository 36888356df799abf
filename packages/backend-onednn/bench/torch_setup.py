"""What PyTorch runs on, for the benchmarks' PyTorch references (torch_bench.py, torch_models.py).

configure(threads) sets PyTorch's intra-op threads (and one inter-op thread) and returns its
configuration, which each reference prints beside its figures so that the ratios can be judged:
the version, the thread counts, whether oneDNN (mkldnn) is enabled, the CPU capability ATen uses
and the BLAS library actually loaded. The last matters on Debian: python3-torch links libblas.so.3,
which is netlib's unoptimised reference BLAS unless OpenBLAS is installed (or put first on
LD_LIBRARY_PATH, as the repository's scripts/bench-harness.mjs torchEnv does when it finds it);
every matrix product and every convolution that PyTorch sends to im2col + GEMM then runs on it.

Run alone (python3 torch_setup.py THREADS) it prints the configuration as one JSON line."""
import json
import os
import sys

import torch


def blas_library():
    """The path of the BLAS shared library loaded into this process (from /proc/self/maps)."""
    try:
        with open("/proc/self/maps") as maps:
            paths = {os.path.realpath(line.split()[-1]) for line in maps if "/" in line and "blas" in line.split("/")[-1].lower()}
    except OSError:
        return "unknown"
    return ", ".join(sorted(paths)) or "none loaded"


def configure(threads):
    torch.set_num_threads(threads)
    try:
        torch.set_num_interop_threads(1)
    except RuntimeError:  # already set (it can be set once, before any parallel work)
        pass
    torch.manual_seed(0)
    return {
        "torch": torch.__version__,
        "threads": torch.get_num_threads(),
        "interopThreads": torch.get_num_interop_threads(),
        "mkldnn": torch.backends.mkldnn.is_available() and torch.backends.mkldnn.enabled,
        "cpuCapability": torch.backends.cpu.get_cpu_capability() if hasattr(torch.backends, "cpu") and hasattr(torch.backends.cpu, "get_cpu_capability") else next((l.split(":")[-1].strip() for l in torch.__config__.show().splitlines() if "CPU capability" in l), "unknown"),
        "blas": blas_library(),
        # glibc's allocator: the harness's torchEnv keeps freed memory (as the oneDNN plugin does for itself)
        "malloc": " ".join(f"{k}={os.environ[k]}" for k in ("MALLOC_MMAP_MAX_", "MALLOC_TRIM_THRESHOLD_") if k in os.environ) or "glibc defaults",
    }


if __name__ == "__main__":
    print(json.dumps(configure(int(sys.argv[1]) if len(sys.argv) > 1 else 2)))
