"""numpy <-> torch without copies (bf16 through an int16 view)."""

from __future__ import annotations

import numpy as np

from ._arrays import BFLOAT16


def numpy_to_torch(arr: np.ndarray, device="cpu"):
    import torch

    if BFLOAT16 is not None and arr.dtype == BFLOAT16:
        t = torch.from_numpy(arr.view(np.int16)).view(torch.bfloat16)
    elif arr.dtype.names is not None:
        raise TypeError("block-quantized tensors have no torch dtype: use dequantize=True")
    else:
        t = torch.from_numpy(arr)
    return t if str(device) == "cpu" else t.to(device)


def torch_to_numpy(t):
    """(numpy array, ingot dtype) of a torch tensor; bf16 stays bf16."""
    import torch

    t = t.detach()
    if t.device.type != "cpu":
        t = t.cpu()
    t = t.contiguous()
    if t.dtype == torch.bfloat16:
        return t.view(torch.int16).numpy().view(BFLOAT16), "bf16"
    table = {torch.float32: "f32", torch.float16: "f16", torch.float64: "f64", torch.int8: "i8", torch.int16: "i16",
             torch.int32: "i32", torch.int64: "i64", torch.uint8: "u8", torch.bool: "bool"}
    if t.dtype not in table:
        raise TypeError(f"torch dtype {t.dtype} has no Ingot dtype")
    return t.numpy(), table[t.dtype]
