#!/usr/bin/env python3
"""Trains Signet's benchmark networks with PyTorch or Keras, one epoch each time it is asked,
so that `epoch-times` can interleave their epochs with Signet's in one session.

The workloads are Signet's `epoch-times` cases, on the same data:
  mlp-32, mlp-128  the study's dense network 784 -> 32 -> 64 -> 10 (ReLU, softmax), batch 32 / 128
  cnn-128          `conv(32,3) pool(2) dropout(0.25) flatten dropout(0.5)` + a softmax layer of 10,
                   batch 128
on full MNIST training (60,000 images, pixels / 255, one-hot targets), each epoch in a new
shuffled order, Glorot-uniform weights and zero biases (Keras's defaults, set explicitly in
PyTorch), Adam(1e-3, epsilon 1e-7) and categorical cross-entropy, as Signet trains them.

Protocol (one line each way): after loading the data and building the model it warms up,
untimed (graph tracing, first allocations, as Signet's warm-up: for Keras one epoch inside its
`fit`; for PyTorch, which traces nothing, the first 50 batches and a batch of the epoch's
last, short size, instead of a whole epoch that takes 20 s for cnn-128 here) and prints
  {"ready": true, "framework": ..., "version": ..., "case": ..., "threads": ...}
then, for every line `epoch` on standard input, trains one epoch and prints
  {"seconds": ..., "loss": ..., "accuracy": ...}
The time is `time.perf_counter` around the whole epoch: shuffling, batching, forward,
backward and update (for Keras, from its epoch's begin to its end inside one long `fit`, as
Keras reports an epoch). `quit` or the end of input stops it. Errors go to standard error and
exit with status 1.

    python training_peer.py --framework torch --case mlp-32 [--data DIR] [--threads 2] [--seed 1]
"""

import argparse
import gzip
import json
import os
import sys
import time

import numpy as np


def read_idx(path):
    with gzip.open(path, "rb") as f:
        data = f.read()
    dims = data[3]
    shape = [int.from_bytes(data[4 + 4 * i:8 + 4 * i], "big") for i in range(dims)]
    return np.frombuffer(data, dtype=np.uint8, offset=4 + 4 * dims).reshape(shape)


def load_mnist(folder):
    images = read_idx(os.path.join(folder, "mnist", "train-images-idx3-ubyte.gz"))
    labels = read_idx(os.path.join(folder, "mnist", "train-labels-idx1-ubyte.gz"))
    x = images.reshape(len(images), 784).astype(np.float32) / 255.0
    y = np.zeros((len(labels), 10), dtype=np.float32)
    y[np.arange(len(labels)), labels] = 1.0
    return x, y, labels.astype(np.int64)


CASES = {"mlp-32": ("mlp", 32), "mlp-128": ("mlp", 128), "cnn-128": ("cnn", 128)}


class TorchTrainer:
    def __init__(self, model_kind, batch, x, labels, threads, seed):
        import torch
        from torch import nn

        torch.set_num_threads(threads)
        torch.manual_seed(seed)
        self.torch = torch
        if model_kind == "mlp":
            self.model = nn.Sequential(nn.Linear(784, 32), nn.ReLU(), nn.Linear(32, 64), nn.ReLU(), nn.Linear(64, 10))
            self.x = torch.from_numpy(x)
        else:
            self.model = nn.Sequential(nn.Conv2d(1, 32, 3), nn.ReLU(), nn.MaxPool2d(2), nn.Dropout(0.25), nn.Flatten(),
                                       nn.Dropout(0.5), nn.Linear(32 * 13 * 13, 10))
            self.x = torch.from_numpy(x.reshape(-1, 1, 28, 28).copy())
        for layer in self.model:
            if isinstance(layer, (nn.Linear, nn.Conv2d)):
                nn.init.xavier_uniform_(layer.weight)
                nn.init.zeros_(layer.bias)
        self.labels = torch.from_numpy(labels)
        self.batch = batch
        # The softmax layer and categorical cross-entropy, fused as PyTorch computes them.
        self.loss = nn.CrossEntropyLoss()
        self.optimizer = torch.optim.Adam(self.model.parameters(), lr=1e-3, eps=1e-7)
        self.generator = torch.Generator().manual_seed(seed)
        self.version = torch.__version__
        self.threads = torch.get_num_threads()

    # Batches of the warm-up: enough for the allocator and oneDNN's primitive cache to hold
    # every shape an epoch uses.
    WARM_UP_BATCHES = 50

    def epoch(self, warm_up=False):
        torch = self.torch
        self.model.train()
        order = torch.randperm(len(self.labels), generator=self.generator)
        starts = list(range(0, len(order), self.batch))
        if warm_up:
            starts = starts[:self.WARM_UP_BATCHES] + starts[-1:]
        total_loss, correct = 0.0, 0
        for start in starts:
            index = order[start:start + self.batch]
            xb, yb = self.x[index], self.labels[index]
            self.optimizer.zero_grad(set_to_none=True)
            logits = self.model(xb)
            loss = self.loss(logits, yb)
            loss.backward()
            self.optimizer.step()
            total_loss += loss.item() * len(index)
            correct += (logits.argmax(1) == yb).sum().item()
        return total_loss / len(order), correct / len(order)

    def serve(self, ready, commands, reply):
        self.epoch(warm_up=True)  # untimed
        ready()
        while commands():
            start = time.perf_counter()
            loss, accuracy = self.epoch()
            reply(time.perf_counter() - start, loss, accuracy)


class KerasTrainer:
    def __init__(self, model_kind, batch, x, y, threads, seed):
        os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
        import tensorflow as tf
        import keras

        tf.config.threading.set_intra_op_parallelism_threads(threads)
        tf.config.threading.set_inter_op_parallelism_threads(threads)
        keras.utils.set_random_seed(seed)
        layers = keras.layers
        if model_kind == "mlp":
            self.model = keras.Sequential([keras.Input((784,)), layers.Dense(32, activation="relu"),
                                           layers.Dense(64, activation="relu"), layers.Dense(10, activation="softmax")])
            self.x = x
        else:
            self.model = keras.Sequential([keras.Input((28, 28, 1)), layers.Conv2D(32, 3, activation="relu"),
                                           layers.MaxPooling2D(2), layers.Dropout(0.25), layers.Flatten(),
                                           layers.Dropout(0.5), layers.Dense(10, activation="softmax")])
            self.x = x.reshape(-1, 28, 28, 1)
        self.model.compile(optimizer=keras.optimizers.Adam(1e-3), loss="categorical_crossentropy", metrics=["accuracy"])
        self.y = y
        self.batch = batch
        self.version = f"{keras.__version__} (TensorFlow {tf.__version__})"
        self.threads = threads

    def serve(self, ready, commands, reply):
        """One `fit` over every epoch asked for, so that Keras's per-call setup (its data
        adapter, the traced step) is paid once, as by a Keras user's `fit(epochs=N)`; a callback
        times each epoch from its begin to its end and waits there for the next command."""
        import keras

        class Handshake(keras.callbacks.Callback):
            def on_epoch_begin(self, epoch, logs=None):
                self.start = time.perf_counter()

            def on_epoch_end(self, epoch, logs=None):
                seconds = time.perf_counter() - self.start
                if epoch == 0:
                    ready()  # the warm-up epoch, untimed
                else:
                    reply(seconds, float(logs["loss"]), float(logs["accuracy"]))
                if not commands():
                    self.model.stop_training = True

        self.model.fit(self.x, self.y, batch_size=self.batch, epochs=1_000_000, shuffle=True, verbose=0,
                       callbacks=[Handshake()])


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--framework", choices=["torch", "keras"], required=True)
    parser.add_argument("--case", choices=sorted(CASES), required=True)
    parser.add_argument("--data", default=os.environ.get("SIGNET_DATA", ""), help="the folder with mnist/ (SIGNET_DATA)")
    parser.add_argument("--threads", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    if not args.data or not os.path.isdir(os.path.join(args.data, "mnist")):
        print(f"training_peer: no mnist/ folder in '{args.data}' (set SIGNET_DATA or --data)", file=sys.stderr)
        return 1
    x, y, labels = load_mnist(args.data)
    kind, batch = CASES[args.case]
    if args.framework == "torch":
        trainer = TorchTrainer(kind, batch, x, labels, args.threads, args.seed)
    else:
        trainer = KerasTrainer(kind, batch, x, y, args.threads, args.seed)
    def ready():
        print(json.dumps({"ready": True, "framework": args.framework, "version": trainer.version, "case": args.case,
                          "threads": trainer.threads}), flush=True)

    def reply(seconds, loss, accuracy):
        print(json.dumps({"seconds": seconds, "loss": loss, "accuracy": accuracy}), flush=True)

    def commands():
        """True when the next command is `epoch`, False on `quit` or the end of input."""
        line = sys.stdin.readline()
        command = line.strip()
        if command == "epoch":
            return True
        if command and command != "quit":
            raise SystemExit(f"training_peer: unknown command '{command}' (epoch or quit)")
        return False

    trainer.serve(ready, commands, reply)
    return 0


if __name__ == "__main__":
    sys.exit(main())
