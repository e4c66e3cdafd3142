"""Reads a robomimic HDF5 file with h5py as robomimic v0.5.0 loads one for low-dim BC, and prints what it found as
JSON, so that a test can check a file the trainer wrote against what robomimic needs (docs/dataset-formats.md
sections 4.3 and 5). It reads the way robomimic's code does:
  env_args     json.loads(f["data"].attrs["env_args"]), indexing env_kwargs and type (utils/file_utils.py
               get_env_metadata_from_dataset, utils/env_utils.py)
  demos        sorted by int(name[5:]) (utils/dataset.py load_demo_info)
  masks        [elem.decode("utf-8") for elem in np.array(f["mask/<key>"][:])] (utils/file_utils.py)
  num_samples  f["data/<demo>"].attrs["num_samples"], the length of the index map (utils/dataset.py)
  actions      2-D, read as float32 (utils/file_utils.py get_shape_metadata_from_dataset, utils/dataset.py)

    python3 read-robomimic.py FILE

Prints {"env_args", "total", "masks": {name: [demo]}, "demos": [{"name", "attrs", "datasets": {path: {"dtype",
"shape", "values"}}}]}; strings are decoded, values are nested lists.
"""
import json
import sys

import h5py
import numpy as np


def value(v):
    if isinstance(v, bytes):
        return v.decode("utf-8")
    if isinstance(v, np.ndarray):
        return [value(x) for x in v.tolist()] if v.dtype.kind in "OS" else v.tolist()
    if isinstance(v, np.generic):
        return v.item()
    if isinstance(v, list):
        return [value(x) for x in v]
    return v


def datasets(group, prefix=""):
    found = {}
    for name, item in group.items():
        if isinstance(item, h5py.Group):
            found.update(datasets(item, f"{prefix}{name}/"))
        else:
            data = item[()]
            found[f"{prefix}{name}"] = {
                "dtype": str(item.dtype) if item.dtype.kind != "O" else "string",
                "shape": list(item.shape),
                "values": value(data),
                "attrs": {k: value(v) for k, v in item.attrs.items()},
            }
    return found


with h5py.File(sys.argv[1], "r") as f:
    env_meta = json.loads(f["data"].attrs["env_args"])
    assert "env_kwargs" in env_meta and "type" in env_meta and "env_name" in env_meta, env_meta
    demos = list(f["data"].keys())
    demos = [demos[i] for i in np.argsort([int(name[5:]) for name in demos])]
    masks = {name: [elem.decode("utf-8") for elem in np.array(f[f"mask/{name}"][:])] for name in f["mask"].keys()} if "mask" in f else {}
    out = []
    for name in demos:
        demo = f[f"data/{name}"]
        num_samples = int(demo.attrs["num_samples"])
        actions = demo["actions"][()].astype("float32")
        assert len(actions.shape) == 2 and actions.shape[0] == num_samples, (name, actions.shape, num_samples)
        out.append({"name": name, "attrs": {k: value(v) for k, v in demo.attrs.items()}, "datasets": datasets(demo)})
    print(json.dumps({"env_args": env_meta, "total": value(f["data"].attrs["total"]), "masks": masks, "demos": out}))
