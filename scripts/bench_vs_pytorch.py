#!/usr/bin/env python3
"""Our engine against PyTorch on the same CPU, same run: `make bench-vs-pytorch`.

For each network, rounds alternate one measurement of ours (`mfd bench-step`, a fresh process)
with one of PyTorch (this script in `--torch-step` mode, a fresh process, with tcmalloc preloaded
when available, which is PyTorch's best CPU configuration here: reference/baseline.md). Every
measurement is a median over training steps after a warm-up step; a training step is forward,
cross-entropy (+ MFD at the five stage outputs with λ = 1 when asked), backward and the SGD
update, batch 128 of 32×32 images, 100 classes. Same architecture and arithmetic on both sides,
not the same weights.

Prints a Markdown table (images/s of each side as the median over rounds, the ratio ours/PyTorch
as the median of the per-round ratios with its min–max spread, MFD cost of each side, peak
resident memory of each side's process) and one JSON line prefixed 'JSON '.

PyTorch is a developer tool here, not a dependency of the product: the Makefile installs it into
.venv when it is missing.
"""
import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
NETWORKS = ["resnet50", "resnext50_32x4d", "densenet121", "mobilenet_v2", "mobilenet_v2_cifar"]
TCMALLOC_CANDIDATES = [
    "/usr/lib/x86_64-linux-gnu/libtcmalloc_minimal.so.4",
    "/usr/lib/x86_64-linux-gnu/libtcmalloc.so.4",
]


def torch_step(arch, mfd_on, batch, steps, threads):
    """One PyTorch measurement in this process; prints a STEP line like `mfd bench-step`."""
    import torch
    import torch.nn.functional as F
    sys.path.insert(0, os.path.join(HERE, "fixtures"))
    from model_fixtures import BUILDERS
    from engine_fixtures import mfd

    torch.set_num_threads(threads)
    torch.manual_seed(0)
    net = BUILDERS[arch](1.0)
    net.train()
    optimizer = torch.optim.SGD(net.parameters(), lr=0.01, momentum=0.9, weight_decay=5e-4)
    x = torch.rand(batch, 3, 32, 32) * 4 - 2
    y = torch.arange(batch) % 100

    def step():
        optimizer.zero_grad(set_to_none=True)
        loss = F.cross_entropy(net(x), y)
        if mfd_on:
            loss = loss + sum(mfd(s) for s in net.stages)
        loss.backward()
        optimizer.step()

    step()
    times = []
    for _ in range(steps):
        start = time.perf_counter()
        step()
        times.append(time.perf_counter() - start)
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
    print("STEP " + json.dumps({"secondsPerStep": statistics.median(times), "peakResidentBytes": peak,
                                "batch": batch, "torch": torch.__version__}))


def run_child(command, env=None):
    result = subprocess.run(command, capture_output=True, text=True, env=env)
    if result.returncode != 0:
        sys.exit(f"measurement failed: {' '.join(command)}\n{result.stderr[-2000:]}")
    for line in result.stdout.splitlines():
        if line.startswith("STEP "):
            return json.loads(line[5:])
    sys.exit(f"no STEP line from: {' '.join(command)}\n{result.stdout[-2000:]}")


def ours(binary, arch, mfd_on, args):
    command = [binary, "bench-step", "--model", arch, "--batch", str(args.batch),
               "--steps", str(args.steps), "--threads", str(args.threads)]
    return run_child(command + (["--mfd"] if mfd_on else []))


def theirs(arch, mfd_on, args, tcmalloc):
    env = dict(os.environ)
    if tcmalloc:
        env["LD_PRELOAD"] = tcmalloc
    command = [sys.executable, __file__, "--torch-step", arch, "--batch", str(args.batch),
               "--steps", str(args.steps), "--threads", str(args.threads)]
    return run_child(command + (["--mfd"] if mfd_on else []), env)


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--models", nargs="+", default=NETWORKS, choices=NETWORKS)
    parser.add_argument("--rounds", type=int, default=3, help="alternating measurements per side")
    parser.add_argument("--steps", type=int, default=3, help="timed steps per measurement")
    parser.add_argument("--batch", type=int, default=128)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--binary", default=os.path.join(ROOT, ".build", "release", "mfd"))
    parser.add_argument("--no-mfd", action="store_true", help="skip the +MFD measurements")
    parser.add_argument("--torch-step", metavar="NETWORK", help=argparse.SUPPRESS)
    parser.add_argument("--mfd", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.torch_step:
        return torch_step(args.torch_step, args.mfd, args.batch, args.steps, args.threads)
    if not os.access(args.binary, os.X_OK):
        sys.exit(f"{args.binary} not found: run `make build` first")
    tcmalloc = next((path for path in TCMALLOC_CANDIDATES if os.path.exists(path)), None)
    print(f"PyTorch allocator: {'tcmalloc (' + tcmalloc + ')' if tcmalloc else 'default (tcmalloc not found)'}; "
          f"batch {args.batch}, 32×32, {args.threads} threads, {args.rounds} alternating rounds × "
          f"{args.steps} steps", file=sys.stderr)

    rows = []
    for arch in args.models:
        for mfd_on in ([False] if args.no_mfd else [False, True]):
            our_runs, their_runs = [], []
            for round_index in range(args.rounds):
                print(f"  {arch}{' + MFD' if mfd_on else ''}: round {round_index + 1}/{args.rounds}",
                      file=sys.stderr)
                our_runs.append(ours(args.binary, arch, mfd_on, args))
                their_runs.append(theirs(arch, mfd_on, args, tcmalloc))
            ratios = [t["secondsPerStep"] / o["secondsPerStep"] for o, t in zip(our_runs, their_runs)]
            rows.append({
                "network": arch, "mfd": mfd_on,
                "ours_images_per_second": args.batch / statistics.median(r["secondsPerStep"] for r in our_runs),
                "pytorch_images_per_second": args.batch / statistics.median(r["secondsPerStep"] for r in their_runs),
                "ratio_median": statistics.median(ratios), "ratio_min": min(ratios), "ratio_max": max(ratios),
                "ours_peak_gib": max(r["peakResidentBytes"] for r in our_runs) / 2**30,
                "pytorch_peak_gib": max(r["peakResidentBytes"] for r in their_runs) / 2**30,
            })

    print("| network | MFD | ours img/s | PyTorch img/s | ratio (median, min–max) | ours peak GiB | PyTorch peak GiB |")
    print("|---|---|---|---|---|---|---|")
    for row in rows:
        print(f"| {row['network']} | {'stages' if row['mfd'] else '–'} | {row['ours_images_per_second']:.1f} | "
              f"{row['pytorch_images_per_second']:.1f} | **{row['ratio_median']:.2f}** "
              f"({row['ratio_min']:.2f}–{row['ratio_max']:.2f}) | {row['ours_peak_gib']:.2f} | {row['pytorch_peak_gib']:.2f} |")
    print()
    print("MFD cost per step (ours / PyTorch):")
    for arch in args.models:
        plain = [r for r in rows if r["network"] == arch and not r["mfd"]]
        with_mfd = [r for r in rows if r["network"] == arch and r["mfd"]]
        if plain and with_mfd:
            ours_cost = plain[0]["ours_images_per_second"] / with_mfd[0]["ours_images_per_second"] - 1
            their_cost = plain[0]["pytorch_images_per_second"] / with_mfd[0]["pytorch_images_per_second"] - 1
            print(f"- {arch}: {ours_cost * 100:+.1f} % / {their_cost * 100:+.1f} %")
    print()
    print("JSON " + json.dumps({"batch": args.batch, "threads": args.threads, "rounds": args.rounds,
                                "tcmalloc": bool(tcmalloc), "rows": rows}, sort_keys=True))


if __name__ == "__main__":
    main()
