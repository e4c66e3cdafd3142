#!/usr/bin/python3
"""Training throughput: the trainer (ONNX Runtime) against PyTorch on the same samples, model and cores.

Runs `trainer bench train` (which trains and writes the exact normalized samples it used), then trains the
same Gaussian BC model with PyTorch on those samples: Linear(obs, 256) → LeakyReLU → Linear(256, 256) →
LeakyReLU → Linear(256, 2·act), log σ clamped to [−5, 2], loss Σ_dims (log σ + ½((a − μ)/σ)²) averaged over
the batch, AdamW (lr 3e-4, decay 1e-4 on weights only), gradient-norm clip 1.0, batch 256, shuffled without
replacement, the same number of epochs and cores. Prints both runs and the ratio.

PyTorch gets its best use of the cores: it runs twice per repeat, once with N intra-op threads and a
single-threaded OpenBLAS, once with one intra-op thread and an N-threaded OpenBLAS (both at N would
oversubscribe the cores and run ~3x slower), and the faster run is compared.

Needs Debian's python3-torch with libopenblas0-pthread (without it torch falls back to the reference BLAS).
Usage: /usr/bin/python3 docs/tools/compare_pytorch.py [--threads N] [--epochs E] [--repeats R]
"""
import argparse
import json
import os
import subprocess
import sys
import time

import numpy as np
import torch

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


TRAINER = os.path.join(ROOT, "Trainer", "bin", "Release", "net10.0", "trainer.dll")


def build_trainer():
    """Builds once, then stops the build servers: left running they compete for the cores being measured."""
    subprocess.run(["dotnet", "build", os.path.join(ROOT, "Trainer"), "-c", "Release", "-v", "quiet", "-nologo"], check=True, capture_output=True)
    subprocess.run(["dotnet", "build-server", "shutdown"], check=True, capture_output=True)


def run_trainer(args, data_dir):
    command = ["dotnet", TRAINER, "bench", "train", "--out", data_dir, "--epochs", str(args.epochs), "--threads", str(args.threads), "--json"]
    output = subprocess.run(command, check=True, capture_output=True, text=True).stdout
    return json.loads(output.strip().splitlines()[-1])


def load(data_dir, name, width):
    return torch.from_numpy(np.fromfile(os.path.join(data_dir, name), dtype=np.float32).reshape(-1, width))


def run_pytorch(ours, data_dir, epochs, seed):
    torch.manual_seed(seed)
    obs, act = ours["observations"], ours["actions"]
    hidden = [int(h) for h in ours["hidden"].split(",")]
    train_x, train_a = load(data_dir, "train_obs.f32", obs), load(data_dir, "train_act.f32", act)
    val_x, val_a = load(data_dir, "val_obs.f32", obs), load(data_dir, "val_act.f32", act)
    layers, width = [], obs
    for h in hidden:
        layers += [torch.nn.Linear(width, h), torch.nn.LeakyReLU(0.01)]
        width = h
    layers.append(torch.nn.Linear(width, 2 * act))
    model = torch.nn.Sequential(*layers)
    weights = [p for n, p in model.named_parameters() if n.endswith("weight")]
    biases = [p for n, p in model.named_parameters() if n.endswith("bias")]
    optimizer = torch.optim.AdamW([{"params": weights, "weight_decay": 1e-4}, {"params": biases, "weight_decay": 0.0}], lr=3e-4)

    def nll(x, a):
        out = model(x)
        mean, log_std = out[:, :act], out[:, act:].clamp(-5.0, 2.0)
        z = (a - mean) * torch.exp(-log_std)
        return (log_std + 0.5 * z * z).sum(dim=1).mean()

    batch = ours["batch"]
    steps_per_epoch = train_x.shape[0] // batch
    seconds = 0.0
    for _ in range(epochs):
        order = torch.randperm(train_x.shape[0])
        start = time.perf_counter()
        for b in range(steps_per_epoch):
            index = order[b * batch:(b + 1) * batch]
            loss = nll(train_x[index], train_a[index])
            optimizer.zero_grad(set_to_none=True)
            loss.backward()
            torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
            optimizer.step()
        seconds += time.perf_counter() - start
        with torch.no_grad():
            val = nll(val_x, val_a).item()
    return {"engine": f"pytorch {torch.__version__}", "samples_per_s": epochs * steps_per_epoch * batch / seconds, "final_val_nll": val}


def run_pytorch_best(ours, args, seed):
    """PyTorch in a fresh process per thread layout (OpenBLAS reads its thread count at load), best kept."""
    results = []
    for torch_threads, blas_threads in {(args.threads, 1), (1, args.threads)}:
        env = dict(os.environ, OPENBLAS_NUM_THREADS=str(blas_threads), OMP_NUM_THREADS=str(torch_threads))
        command = [sys.executable, os.path.abspath(__file__), "--worker", json.dumps(ours), "--data", args.data,
                   "--epochs", str(args.epochs), "--threads", str(torch_threads), "--seed", str(seed)]
        result = json.loads(subprocess.run(command, check=True, capture_output=True, text=True, env=env).stdout.strip().splitlines()[-1])
        result["layout"] = f"{torch_threads} torch x {blas_threads} OpenBLAS threads"
        results.append(result)
    return max(results, key=lambda r: r["samples_per_s"])


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--threads", type=int, default=os.cpu_count())
    parser.add_argument("--epochs", type=int, default=5)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--data", default="/tmp/robotics-bench-train")
    parser.add_argument("--worker", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        torch.set_num_threads(args.threads)
        print(json.dumps(run_pytorch(json.loads(args.worker), args.data, args.epochs, args.seed)))
        return 0
    build_trainer()
    print(f"obs 32, act 8, 2x256, batch 256, {args.epochs} epochs, {args.threads} cores, {args.repeats} runs each (alternating)")
    rows = []
    for repeat in range(args.repeats):
        ours = run_trainer(args, args.data)
        theirs = run_pytorch_best(ours, args, seed=repeat)
        ratio = ours["samples_per_s"] / theirs["samples_per_s"]
        nll_gap = abs(ours["final_val_nll"] - theirs["final_val_nll"]) / abs(theirs["final_val_nll"])
        rows.append((ours, theirs, ratio, nll_gap))
        print(f"run {repeat + 1}: onnxruntime {ours['samples_per_s']:,.0f} samples/s (val_nll {ours['final_val_nll']:.4f}) | "
              f"{theirs['engine']} ({theirs['layout']}) {theirs['samples_per_s']:,.0f} samples/s (val_nll {theirs['final_val_nll']:.4f}) | "
              f"ratio {ratio:.2f}x, val_nll gap {100 * nll_gap:.2f}%")
    ratios = sorted(r[2] for r in rows)
    print(json.dumps({"median_ratio": ratios[len(ratios) // 2], "ratios": ratios,
                      "onnxruntime_samples_per_s": [r[0]["samples_per_s"] for r in rows],
                      "pytorch_samples_per_s": [r[1]["samples_per_s"] for r in rows],
                      "val_nll_gap_percent": [100 * r[3] for r in rows]}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
