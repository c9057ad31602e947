#!/usr/bin/python3
"""The zarr-python 2.13 baseline of ZarrBenchmarks, driven over stdin.

Usage: zarr_python_writer.py FRAMES_NPY OUT_DIR CHUNK_ROWS none|zstd
Loads the frames once, prints "ready", then for every "run" line read from stdin writes them as a
new Zarr v2 array at OUT_DIR the way a zarr-python user appends: zarr.open_array with the same
chunks, then append in batches of 100 frames. Every file is fsynced (the store syncs each chunk
too), then it prints "done".
"""
import os
import shutil
import sys

import numpy as np
import numcodecs
import zarr


def sync_tree(root):
    for folder, _, files in os.walk(root):
        for name in files:
            fd = os.open(os.path.join(folder, name), os.O_RDONLY)
            os.fsync(fd)
            os.close(fd)
        fd = os.open(folder, os.O_RDONLY)
        os.fsync(fd)
        os.close(fd)


def main():
    frames_file, out, chunk_rows, compressor = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4]
    frames = np.load(frames_file)
    codec = numcodecs.Zstd(level=3) if compressor == "zstd" else None
    print("ready", flush=True)
    for line in sys.stdin:
        if line.strip() != "run":
            break
        shutil.rmtree(out, ignore_errors=True)
        array = zarr.open_array(out, mode="w", shape=(0,) + frames.shape[1:], chunks=(chunk_rows,) + frames.shape[1:],
                                dtype=frames.dtype, compressor=codec)
        for start in range(0, len(frames), 100):
            array.append(frames[start:start + 100])
        sync_tree(out)
        print("done", flush=True)


if __name__ == "__main__":
    main()
