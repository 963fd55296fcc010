"""Read and write safetensors files with nothing beyond numpy (torch only where tensors are torch).

Written from the published format description (the safetensors README):
  u64 little-endian header length N, then N bytes of JSON
    {name: {"dtype", "shape", "data_offsets": [begin, end]}, "__metadata__": {str: str}}
  padded with spaces to a multiple of 8, then the raw little-endian tensor bytes,
  offsets counted from the end of the header.

The reference tools import this module by putting tools/common on sys.path:
    sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "common"))
"""
import json
import struct

import numpy as np

# numpy dtype <-> safetensors dtype name. BF16 has no numpy dtype: it travels as its
# uint16 bit patterns, either in a torch.bfloat16 tensor or as an explicit ("BF16", bits) pair.
_NP_TO_ST = {
    np.dtype(np.float64): "F64", np.dtype(np.float32): "F32", np.dtype(np.float16): "F16",
    np.dtype(np.int64): "I64", np.dtype(np.int32): "I32", np.dtype(np.int16): "I16",
    np.dtype(np.int8): "I8", np.dtype(np.uint64): "U64", np.dtype(np.uint32): "U32",
    np.dtype(np.uint16): "U16", np.dtype(np.uint8): "U8", np.dtype(np.bool_): "BOOL",
}
_ST_TO_NP = {v: k for k, v in _NP_TO_ST.items()}
_ST_TO_NP["BF16"] = np.dtype(np.uint16)


def _is_torch(t):
    return type(t).__module__.split(".")[0] == "torch"


def encode(t):
    """A tensor -> (safetensors dtype name, shape list, little-endian bytes).

    t is a torch tensor, a numpy array, or a pair (dtype name, numpy array) whose raw
    storage is written as is under that name (how numpy-only callers write BF16 bits)."""
    if isinstance(t, tuple):
        name, a = t
    elif _is_torch(t):
        import torch
        t = t.detach().cpu().contiguous()
        if t.dtype == torch.bfloat16:
            name, a = "BF16", t.view(torch.int16).numpy()
        else:
            a = t.numpy()
            name = _NP_TO_ST[a.dtype]
    else:
        a = np.asarray(t)
        name = _NP_TO_ST[a.dtype]
    # tobytes() walks the array in C order whatever its strides; 0-d arrays keep shape [].
    return name, [int(d) for d in a.shape], a.astype(a.dtype.newbyteorder("<"), copy=False).tobytes()


def write_safetensors(path, tensors, metadata=None, sort_names=True, metadata_last=False):
    """Writes tensors (name -> anything encode() takes) to path; returns the data size in bytes.

    sort_names: tensors in sorted name order (as Hugging Face writes them), else in the
    dict's order. metadata (a dict of strings, left out when empty) goes first in the
    header, or last with metadata_last."""
    header, blobs, offset = {}, [], 0
    if metadata and not metadata_last:
        header["__metadata__"] = metadata
    for name in (sorted(tensors) if sort_names else tensors):
        dtype, shape, b = encode(tensors[name])
        header[name] = {"dtype": dtype, "shape": shape, "data_offsets": [offset, offset + len(b)]}
        blobs.append(b)
        offset += len(b)
    if metadata and metadata_last:
        header["__metadata__"] = metadata
    h = json.dumps(header, separators=(",", ":")).encode()
    h += b" " * (-len(h) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(h)))
        f.write(h)
        for b in blobs:
            f.write(b)
    return offset


def read_header(path):
    """-> (header dict, tensor data bytes) of a safetensors file."""
    with open(path, "rb") as f:
        raw = f.read()
    n = struct.unpack("<Q", raw[:8])[0]
    return json.loads(raw[8:8 + n]), raw[8 + n:]


def read_safetensors(path):
    """name -> torch tensor in the dtype the file stores (BF16 as torch.bfloat16)."""
    import torch
    header, data = read_header(path)
    out = {}
    for name, info in header.items():
        if name == "__metadata__":
            continue
        if info["dtype"] not in _ST_TO_NP:
            raise ValueError(f"{path}: {name}: unsupported dtype {info['dtype']}")
        begin, end = info["data_offsets"]
        a = np.frombuffer(data[begin:end], dtype=_ST_TO_NP[info["dtype"]].newbyteorder("<"))
        a = a.astype(a.dtype.newbyteorder("="))  # a native-order, writable copy
        if info["dtype"] == "BF16":
            t = torch.from_numpy(a.view(np.int16)).view(torch.bfloat16)
        else:
            t = torch.from_numpy(a)
        out[name] = t.reshape(info["shape"])
    return out
