#!/usr/bin/env bash
# Streamed against in-memory training, samples/s and peak memory, on LeRobot datasets generated here by DuckDB
# (Firmware.Tests/datasets/make-lerobot.mjs: 32 observations, 8 actions, 1,000 frames an episode). The in-memory
# peer trains on the largest dataset that fits in memory (SMALL); streaming trains on it too, and on BIG.
#
#   docs/tools/bench_stream.sh [WORK_DIR] [RUNS]
#
# Needs: the .NET SDK, node with `npm ci --prefix Firmware.Tests/datasets`, ~10 GB free in WORK_DIR for BIG.
# Env: SMALL_EPISODES (5000: 5 M steps), BIG_EPISODES (50000: 50 M steps), EPOCHS (1), BATCH (64, the default).
set -euo pipefail
cd "$(dirname "$0")/../.."
work=${1:-/tmp/bench-stream}
runs=${2:-3}
small_episodes=${SMALL_EPISODES:-5000}
big_episodes=${BIG_EPISODES:-50000}
epochs=${EPOCHS:-1}
batch=${BATCH:-64}
mkdir -p "$work"

make_dataset() { # name episodes
  local root="$work/$1"
  if [ ! -f "$root/meta/info.json" ]; then
    echo "generating $1: $2 episodes of 1,000 frames" >&2
    node Firmware.Tests/datasets/make-lerobot.mjs "$root" --episodes "$2" --frames 1000 \
      --state-width 32 --action-width 8 --files $(( $2 / 100 > 0 ? $2 / 100 : 1 ))
  fi
  echo "$root"
}
small=$(make_dataset small "$small_episodes")
big=$(make_dataset big "$big_episodes")

dotnet build Trainer -c Release -warnaserror -v quiet -nologo >&2
trainer() { dotnet Trainer/bin/Release/net10.0/trainer.dll "$@"; }

echo "run,dataset,stream,train_steps,samples_per_s,peak_memory_mb,seconds"
for run in $(seq 1 "$runs"); do
  for case in "small off" "small on" "big on"; do
    set -- $case
    root=$([ "$1" = small ] && echo "$small" || echo "$big")
    start=$(date +%s.%N)
    json=$(trainer train --data "$root" --stream "$2" --epochs "$epochs" --batch "$batch" --patience 0 \
      --out "$work/policy-$1-$2.onnx" --json | tail -n 1)
    seconds=$(echo "$(date +%s.%N) - $start" | bc)
    echo "$json" | /usr/bin/python3 -c "
import json, sys
d = json.loads(sys.stdin.read())
print(f\"$run,$1,$2,{d['train_steps']},{d['samples_per_s']:.0f},{d['peak_memory_bytes'] / 2**20:.0f},$seconds\")"
  done
done
