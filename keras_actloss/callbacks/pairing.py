"""`PairingValidator`: the pairing checks as a callback that runs before the first batch."""

from __future__ import annotations

import keras

from keras_actloss import _validation as check
from keras_actloss import findings
from keras_actloss.pairing import check_pairing, check_targets
from keras_actloss.pairing.compiled import codes


class PairingValidator(keras.callbacks.Callback):
    """Checks the model's output activations, losses and targets before training starts.

    At `on_train_begin` it runs `keras_actloss.pairing.check_pairing` on the
    model and its compiled loss, and `check_targets` when `y` is given. Each
    error and warning is emitted as a `keras_actloss.PairingWarning` (a
    `UserWarning`: filter it, or turn it into an error, like any warning)
    and every finding, info included, through the ``keras_actloss`` logger.
    Nothing runs per batch.

    Example:
    >>> model.fit(x, y, callbacks=[keras_actloss.callbacks.PairingValidator(y=y)])

    Args:
        y: the training targets (optional), in any form `fit` takes.
        strict: raise `keras_actloss.PairingError` before the first batch
            (so no weight changes) when an error-severity finding exists.
        ignore: rule codes to leave out (see `keras-actloss rules`).

    Attributes:
        findings: what the last check found.
    """

    def __init__(self, y=None, strict=False, ignore=()):
        super().__init__()
        self.y = y
        self.strict = check.check_bool("strict", strict)
        self.ignore = codes(ignore)
        self.findings = []

    def on_train_begin(self, logs=None):
        found = check_pairing(self.model, ignore=self.ignore)
        if self.y is not None:
            found += check_targets(self.model, self.y, ignore=self.ignore)
        self.findings = found
        findings.emit(found)
        errors = [f for f in found if f.severity == "error"]
        if self.strict and errors:
            raise findings.PairingError(errors)
