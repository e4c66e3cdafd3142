"""Writes a robomimic HDF5 dataset with h5py, an HDF5 writer that is not ours, in the layout robomimic's own
dataset conversion writes (robomimic v0.5.0 scripts/dataset_states_to_obs.py and utils/file_utils.py, as
docs/dataset-formats.md section 4 describes them).

    python3 make-robomimic.py OUT [--demos N] [--frames N] [--image] [--scalar] [--masks] [--unmasked N]
        [--no-actions] [--short-obs KEY] [--wrong-num-samples] [--no-data] [--control-freq HZ | --no-control-freq] [--failed I,J,...]
        [--intv-labels] [--bad-marker source|intv_labels|outcome]

Each demo demo_<d> (created in reverse order, so HDF5's name order is not the numeric one) has
  obs/robot0_eef_pos [T,3], obs/robot0_gripper_qpos [T,2], obs/object [T,10]  float64, as robosuite records them:
      obs[key k, demo d, frame t, column j] = 100 k + d + t/64 + j/4   (k = 1, 2, 3 in that order)
  actions [T,7] float64:  a[d, t, j] = j/8 - d/16 + t/128
  rewards [T] float64: 1 on the last frame (robosuite's sparse reward on a success state), 0 before;
      demos listed by --failed get 0 throughout
  dones [T] int64: 1 on the last frame (done_mode 2, the README's), for failed demos too
  states [T,20], next_obs/* (obs shifted one frame), attrs num_samples = T
Every value is exact in float32, so a reader's values can be checked exactly.
  --image          obs/agentview_image [T,84,84,3] uint8, gzip-compressed as dataset_states_to_obs --compress does
  --scalar         obs/progress [T] float32 = t/T
  --masks          mask/train and mask/valid as byte strings: every fourth demo (d % 4 == 3) is a validation demo
  --unmasked N     with --masks, the last N demos are in neither mask
  --no-actions     the last demo has no actions dataset
  --short-obs KEY  the last demo's obs/KEY has one frame fewer than its actions
  --wrong-num-samples  the last demo's num_samples is T + 1, as an int32 (numpy writers' width)
  --no-data        no data group at all (only mask/)
  --control-freq   env_kwargs.control_freq (default 20, robosuite's); --no-control-freq leaves it out
  --intv-labels    intv_labels [T] int64 as Sirius labels its rollouts: frame t's label is -1, 0, 1, -10 for t % 4 = 0..3
                   (a demonstration, the robot's, an intervention, the robot's before an intervention)
  --bad-marker M   the last demo's marker M is malformed: source names 'human' on frame 1, intv_labels holds 2 on
                   frame 1, attrs outcome is 'won'
"""
import argparse
import json

import h5py
import numpy as np

parser = argparse.ArgumentParser()
parser.add_argument("out")
parser.add_argument("--demos", type=int, default=5)
parser.add_argument("--frames", type=int, default=40)
parser.add_argument("--image", action="store_true")
parser.add_argument("--scalar", action="store_true")
parser.add_argument("--masks", action="store_true")
parser.add_argument("--unmasked", type=int, default=0)
parser.add_argument("--no-actions", action="store_true")
parser.add_argument("--short-obs")
parser.add_argument("--wrong-num-samples", action="store_true")
parser.add_argument("--no-data", action="store_true")
parser.add_argument("--control-freq", type=float, default=20)
parser.add_argument("--no-control-freq", action="store_true")
parser.add_argument("--failed", default="")
parser.add_argument("--intv-labels", action="store_true")
parser.add_argument("--bad-marker", choices=["source", "intv_labels", "outcome"])
args = parser.parse_args()

LOW_DIM = [("robot0_eef_pos", 3), ("robot0_gripper_qpos", 2), ("object", 10)]
failed = {int(d) for d in args.failed.split(",") if d}
T = args.frames
t = np.arange(T, dtype=np.float64)[:, None]


def obs_values(k, d, width):
    return 100 * k + d + t / 64 + np.arange(width, dtype=np.float64)[None, :] / 4


def write_demo(group, d):
    last = d == args.demos - 1
    demo = group.create_group(f"demo_{d}")
    if not (args.no_actions and last):
        demo.create_dataset("actions", data=np.arange(7, dtype=np.float64)[None, :] / 8 - d / 16 + t / 128)
    demo.create_dataset("states", data=np.tile(t, (1, 20)) + d)
    rewards = np.zeros(T)
    if d not in failed:
        rewards[-1] = 1
    demo.create_dataset("rewards", data=rewards)
    dones = np.zeros(T, dtype=np.int64)
    dones[-1] = 1
    demo.create_dataset("dones", data=dones)
    for k, (key, width) in enumerate(LOW_DIM, start=1):
        values = obs_values(k, d, width)
        demo.create_dataset(f"obs/{key}", data=values[:-1] if (last and key == args.short_obs) else values)
        demo.create_dataset(f"next_obs/{key}", data=np.concatenate([values[1:], values[-1:]]))
    if args.scalar:
        demo.create_dataset("obs/progress", data=(t[:, 0] / T).astype(np.float32))
    if args.image:
        image = np.zeros((T, 84, 84, 3), dtype=np.uint8)
        image[:, :, :, 0] = (np.arange(T) % 256)[:, None, None]
        demo.create_dataset("obs/agentview_image", data=image, compression="gzip")
    if args.intv_labels:
        demo.create_dataset("intv_labels", data=np.array([-1, 0, 1, -10], dtype=np.int64)[np.arange(T) % 4])
    if last and args.bad_marker == "source":
        demo.create_dataset("source", data=np.array(["teleop", "human"] + ["teleop"] * (T - 2), dtype="S"))
    if last and args.bad_marker == "intv_labels":
        demo.create_dataset("intv_labels", data=np.array([-1, 2] + [-1] * (T - 2), dtype=np.int64))
    if last and args.bad_marker == "outcome":
        demo.attrs["outcome"] = "won"
    demo.attrs["num_samples"] = np.int32(T + 1) if (last and args.wrong_num_samples) else T


with h5py.File(args.out, "w") as f:
    if not args.no_data:
        data = f.create_group("data")
        for d in reversed(range(args.demos)):
            write_demo(data, d)
        env_kwargs = {"has_renderer": False, "has_offscreen_renderer": False, "ignore_done": True,
                      "use_object_obs": True, "use_camera_obs": False, "reward_shaping": False,
                      "robots": ["Panda"], "controller_configs": {"type": "OSC_POSE"}}
        if not args.no_control_freq:
            env_kwargs["control_freq"] = args.control_freq
        data.attrs["env_args"] = json.dumps({"env_name": "Lift", "env_version": "1.4.1", "type": 1, "env_kwargs": env_kwargs}, indent=4)
        data.attrs["total"] = args.demos * T
    if args.masks or args.no_data:
        masked = [d for d in range(args.demos - args.unmasked)]
        f["mask/train"] = np.array([f"demo_{d}" for d in masked if d % 4 != 3], dtype="S")
        f["mask/valid"] = np.array([f"demo_{d}" for d in masked if d % 4 == 3], dtype="S")
