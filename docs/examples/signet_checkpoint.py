"""Write a Signet checkpoint from numpy arrays: a dense network trained elsewhere (Keras,
PyTorch, plain numpy), so that `signet evaluate` and `signet study --checkpoint` can read it.

Only numpy and the standard library: a safetensors file is an 8-byte little-endian header
length, a JSON header (each tensor's dtype, shape and byte range, plus string metadata), then
the raw little-endian tensor bytes.

Run as a script, it trains a 784-16-8-2 network on the first 100 training images of MNIST's 1s
and 7s with PyTorch and writes it (docs/examples/pytorch-17.safetensors was made so):

    python docs/examples/signet_checkpoint.py $SIGNET_DATA/mnist docs/examples/pytorch-17.safetensors
"""
import gzip
import json
import struct
import sys

import numpy as np


def write_checkpoint(path, layers, digits, dataset="mnist", per_class=None, input_shape=(784,)):
    """Writes the dense network `layers` to `path` as a weights-only Signet checkpoint.

    layers: one (name, kernel, bias, activation) per dense layer, input first. `kernel` has
    Keras's layout [inputs, units] (a PyTorch nn.Linear's weight transposed), `bias` [units];
    the activation is relu, tanh, sigmoid, linear or softmax (the last layer: softmax). Names
    as Signet's: hidden_1, hidden_2, ..., output (the study asks for signatures by name).
    digits: the classes the output units stand for, in order (sorted, as Signet one-hot codes).
    per_class: training images per class the model saw (None: all), so that `signet study`
    analyses the same images.
    """
    tensors, model_layers = {}, []
    for name, kernel, bias, activation in layers:
        kernel = np.ascontiguousarray(kernel, dtype="<f4")
        bias = np.ascontiguousarray(bias, dtype="<f4")
        assert kernel.ndim == 2 and bias.shape == (kernel.shape[1],), f"{name}: kernel [in, units], bias [units]"
        tensors[f"{name}.kernel"] = kernel
        tensors[f"{name}.bias"] = bias
        model_layers.append({"dense": {"name": name, "units": int(kernel.shape[1]), "activation": activation}})
    subset = {"classes": sorted(digits), "selection": {"first": {}}}
    if per_class is not None:
        subset["perClass"] = per_class
    metadata = {
        # The marker and the model are required; the training state (signet.training, the
        # optimizer's tensors, the generator, the history) is optional and left out here.
        "signet.format": "signet-checkpoint-1",
        "signet.model": json.dumps({"inputShape": list(input_shape), "layers": model_layers}),
        # Which images the model was trained on: signet evaluate and signet study read them again.
        "data": json.dumps({"dataset": dataset, "subset": subset, "validateOnTest": False}),
    }
    header, offset = {"__metadata__": metadata}, 0
    for name in sorted(tensors):
        size = tensors[name].nbytes
        header[name] = {"dtype": "F32", "shape": list(tensors[name].shape), "data_offsets": [offset, offset + size]}
        offset += size
    encoded = json.dumps(header).encode()
    encoded += b" " * (-len(encoded) % 8)  # the tensor bytes start 8-aligned
    with open(path, "wb") as file:
        file.write(struct.pack("<Q", len(encoded)))
        file.write(encoded)
        for name in sorted(tensors):
            file.write(tensors[name].tobytes())


def mnist(folder, kind):
    """MNIST's training images (n x 784 floats in [0, 1]) and labels from the gzip IDX files."""
    with gzip.open(f"{folder}/{kind}-images-idx3-ubyte.gz") as file:
        images = np.frombuffer(file.read(), dtype=np.uint8, offset=16).reshape(-1, 784)
    with gzip.open(f"{folder}/{kind}-labels-idx1-ubyte.gz") as file:
        labels = np.frombuffer(file.read(), dtype=np.uint8, offset=8)
    return images.astype(np.float32) / 255, labels


def main(folder, path):
    import torch

    torch.manual_seed(0)
    images, labels = mnist(folder, "train")
    chosen = np.concatenate([np.flatnonzero(labels == digit)[:100] for digit in (1, 7)])
    x = torch.tensor(images[chosen])
    y = torch.tensor((labels[chosen] == 7).astype(np.int64))  # 1 -> class 0, 7 -> class 1
    model = torch.nn.Sequential(torch.nn.Linear(784, 16), torch.nn.ReLU(), torch.nn.Linear(16, 8), torch.nn.ReLU(),
                                torch.nn.Linear(8, 2))
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)
    for _ in range(30):
        for batch in torch.randperm(len(x)).split(20):
            optimizer.zero_grad()
            torch.nn.functional.cross_entropy(model(x[batch]), y[batch]).backward()
            optimizer.step()
    linear = [m for m in model if isinstance(m, torch.nn.Linear)]
    names, activations = ["hidden_1", "hidden_2", "output"], ["relu", "relu", "softmax"]
    layers = [(name, m.weight.detach().numpy().T, m.bias.detach().numpy(), activation)
              for name, m, activation in zip(names, linear, activations)]
    write_checkpoint(path, layers, digits=[1, 7], per_class=100)


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
