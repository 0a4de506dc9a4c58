"""Optional dependencies: import them where needed, and say which extra installs them."""

from __future__ import annotations

import importlib

#: The extra of keras-actloss that installs each optional module.
EXTRAS = {
    "keras_tuner": "tuner",
    "sklearn": "examples",
    "matplotlib": "examples",
}


class MissingDependencyError(ModuleNotFoundError):
    """An optional dependency is not installed; the message names the extra to install."""


def require(module, purpose):
    """Imports `module`, or raises `MissingDependencyError` naming the extra that installs it."""
    try:
        return importlib.import_module(module)
    except ImportError as error:
        extra = EXTRAS[module.split(".")[0]]
        raise MissingDependencyError(
            f"{purpose} needs {module.split('.')[0]}, which is not installed "
            f'({error}): pip install "keras-actloss[{extra}]"',
            name=module,
        ) from None
