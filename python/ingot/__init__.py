"""Ingot model-weight files from Python.

    import ingot
    with ingot.safe_open("model.ingot", framework="pt") as f:
        w = f.get_tensor("model.embed_tokens.weight")

    from ingot.numpy import load_file, save_file      # or ingot.torch
    from ingot.transformers import load_state_dict    # Hugging Face names, for model.load_state_dict
"""

from ._errors import (ChecksumMismatchError, CorruptDataError, IngotError, IngotIOError, InvalidFileError,
                      MemoryBudgetError, NoSuchTensorError, UnsupportedError)
from ._open import TensorSlice, safe_open

__version__ = "1.0.0"
__all__ = ["safe_open", "TensorSlice", "IngotError", "InvalidFileError", "CorruptDataError", "ChecksumMismatchError",
           "NoSuchTensorError", "UnsupportedError", "MemoryBudgetError", "IngotIOError"]
