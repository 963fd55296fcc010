"""Minimal writers for the two weight file formats Sprout reads: safetensors and GGUF.

Written from the published format descriptions (the safetensors README and
ggml's docs/gguf.md) so the reference tools need nothing beyond numpy.

safetensors: float arrays rounded to f32 / f16 / bf16, written by
  tools/common/safetensors_io.py.

GGUF v3: "GGUF", u32 version, u64 tensor count, u64 metadata count, the
  metadata key/values, the tensor infos (name, n_dims, dims innermost-first,
  ggml type, offset), padding to general.alignment (32), then the tensor data,
  each tensor starting at an aligned offset.
"""
import os
import struct
import sys

import numpy as np

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "common"))
import safetensors_io  # noqa: E402

# ---------------------------------------------------------------- safetensors

ST_DTYPE = {"f32": "F32", "f16": "F16", "bf16": "BF16"}


def to_storage(arr, dtype):
    """float array -> (raw bytes as numpy array, safetensors dtype name)."""
    a = np.ascontiguousarray(arr, dtype=np.float32)
    if dtype == "f32":
        return a, "F32"
    if dtype == "f16":
        return a.astype(np.float16), "F16"
    if dtype == "bf16":
        return f32_to_bf16_bits(a), "BF16"
    raise ValueError(dtype)


def f32_to_bf16_bits(a):
    """Round-to-nearest-even f32 -> bf16, returned as uint16 bit patterns."""
    u = np.ascontiguousarray(a, dtype=np.float32).view(np.uint32).astype(np.uint64)
    rounding = ((u >> 16) & 1) + 0x7FFF
    return ((u + rounding) >> 16).astype(np.uint16)


def bf16_bits_to_f32(b):
    return (b.astype(np.uint32) << 16).view(np.float32)


def round_to(arr, dtype):
    """The float32 values a tensor has after being stored as `dtype`."""
    a = np.asarray(arr, dtype=np.float32)
    if dtype == "f32":
        return a.copy()
    if dtype == "f16":
        return a.astype(np.float16).astype(np.float32)
    if dtype == "bf16":
        return bf16_bits_to_f32(f32_to_bf16_bits(a))
    raise ValueError(dtype)


def write_safetensors(path, tensors, dtype):
    """tensors: dict name -> float32 array, stored as `dtype` (written in sorted name
    order, as HF does); returns the size of the tensor data in bytes."""
    stored = {}
    for name, a in tensors.items():
        raw, st = to_storage(a, dtype)
        stored[name] = (st, raw.reshape(np.shape(a)))  # bf16 travels as its uint16 bits
    return safetensors_io.write_safetensors(path, stored, {"format": "pt"}, metadata_last=True)


# ----------------------------------------------------------------------- GGUF

GGML_TYPE = {"f32": 0, "f16": 1, "q4_0": 2, "q8_0": 8, "bf16": 30}
_U8, _I8, _U16, _I16, _U32, _I32, _F32, _BOOL, _STR, _ARR, _U64, _I64, _F64 = range(13)


def _gguf_str(s):
    b = s.encode()
    return struct.pack("<Q", len(b)) + b


def _gguf_value(v):
    """Python value -> (type id, encoded bytes). ints are u32 unless tagged."""
    if isinstance(v, tuple) and v[0] == "i32":
        return _I32, struct.pack("<i", v[1])
    if isinstance(v, tuple) and v[0] == "u64":
        return _U64, struct.pack("<Q", v[1])
    if isinstance(v, bool):
        return _BOOL, struct.pack("<?", v)
    if isinstance(v, int):
        return _U32, struct.pack("<I", v)
    if isinstance(v, float):
        return _F32, struct.pack("<f", v)
    if isinstance(v, str):
        return _STR, _gguf_str(v)
    if isinstance(v, list):
        items = [_gguf_value(x) for x in v]
        t = items[0][0] if items else _U32
        return _ARR, struct.pack("<IQ", t, len(items)) + b"".join(b for _, b in items)
    raise TypeError(type(v))


def quantize_q8_0(a):
    """ggml block_q8_0: per 32 values an f16 scale d = amax/127 and 32 int8 round(x/d)."""
    x = np.asarray(a, dtype=np.float32).reshape(-1, 32)
    amax = np.abs(x).max(axis=1, keepdims=True)
    d = amax / 127.0
    inv = np.where(d > 0, 1.0 / np.where(d > 0, d, 1), 0.0)
    q = np.round(x * inv).astype(np.int8)  # numpy rounds half to even; ggml's roundf rounds away (ties are rare)
    out = np.empty((x.shape[0], 34), dtype=np.uint8)
    out[:, 0:2] = d.astype(np.float16).view(np.uint8).reshape(-1, 2)
    out[:, 2:] = q.view(np.uint8)
    return out


def quantize_q4_0(a):
    """ggml block_q4_0: f16 d = max/-8 (max = the value of largest magnitude), nibbles
    q = min(15, trunc(x/d + 8.5)); byte j holds value j (low) and value j+16 (high)."""
    x = np.asarray(a, dtype=np.float32).reshape(-1, 32)
    idx = np.abs(x).argmax(axis=1)
    mx = x[np.arange(x.shape[0]), idx][:, None]
    d = mx / -8.0
    inv = np.where(d != 0, 1.0 / np.where(d != 0, d, 1), 0.0)
    q = np.minimum(15, (x * inv + 8.5).astype(np.int32)).astype(np.uint8)
    out = np.empty((x.shape[0], 18), dtype=np.uint8)
    out[:, 0:2] = d.astype(np.float16).view(np.uint8).reshape(-1, 2)
    out[:, 2:] = q[:, :16] | (q[:, 16:] << 4)
    return out


def encode_tensor(arr, dtype):
    a = np.ascontiguousarray(arr, dtype=np.float32)
    if dtype == "f32":
        return a.tobytes()
    if dtype == "f16":
        return a.astype(np.float16).tobytes()
    if dtype == "bf16":
        return f32_to_bf16_bits(a).tobytes()
    if dtype == "q8_0":
        return quantize_q8_0(a).tobytes()
    if dtype == "q4_0":
        return quantize_q4_0(a).tobytes()
    raise ValueError(dtype)


class GgufWriter:
    """Collects metadata and tensors, then writes a GGUF v3 file in one go.

    Tensors may be given as arrays or as callables returning the encoded bytes
    (so multi-GB files can be produced one tensor at a time)."""

    def __init__(self, alignment=32):
        self.kv = []
        self.tensors = []  # (name, shape outermost-first, ggml type name, nbytes, producer)
        self.alignment = alignment

    def add(self, key, value):
        self.kv.append((key, value))

    def add_tensor(self, name, arr, dtype):
        b = encode_tensor(arr, dtype)
        self.tensors.append((name, tuple(arr.shape), dtype, len(b), lambda b=b: b))

    def add_tensor_lazy(self, name, shape, dtype, nbytes, producer):
        self.tensors.append((name, tuple(shape), dtype, nbytes, producer))

    def write(self, path):
        al = self.alignment
        with open(path, "wb") as f:
            f.write(b"GGUF" + struct.pack("<IQQ", 3, len(self.tensors), len(self.kv)))
            for k, v in self.kv:
                t, b = _gguf_value(v)
                f.write(_gguf_str(k) + struct.pack("<I", t) + b)
            offset = 0
            for name, shape, dtype, nbytes, _ in self.tensors:
                dims = list(reversed(shape))  # GGUF lists dims innermost-first
                f.write(_gguf_str(name) + struct.pack("<I", len(dims)))
                f.write(struct.pack("<%dQ" % len(dims), *dims))
                f.write(struct.pack("<IQ", GGML_TYPE[dtype], offset))
                offset += (nbytes + al - 1) // al * al
            f.write(b"\0" * ((al - f.tell() % al) % al))
            for name, shape, dtype, nbytes, producer in self.tensors:
                b = producer()
                assert len(b) == nbytes, name
                f.write(b)
                f.write(b"\0" * ((al - nbytes % al) % al))
