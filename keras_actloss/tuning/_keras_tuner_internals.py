"""Every KerasTuner internal this package relies on, in one place.

KerasTuner 1.4 exports none of these: its file functions (which write
through TensorFlow's file system, so a search folder may be a bucket), its
distributed mode's gRPC client, servicer and end-of-search test, its
protocol buffers, and the trial statuses. A KerasTuner release that moves
one breaks this module alone, and `tests/test_distributed.py` names which.
"""

from __future__ import annotations

from keras_tuner.src import protos
from keras_tuner.src.backend import io as file_io
from keras_tuner.src.distribute import oracle_client as _oracle_client
from keras_tuner.src.distribute.oracle_chief import OracleServicer, exit_chief
from keras_tuner.src.distribute.oracle_client import OracleClient
from keras_tuner.src.engine import conditions as _conditions
from keras_tuner.src.engine.trial import TrialStatus

__all__ = [
    "OracleClient",
    "OracleServicer",
    "TrialStatus",
    "exit_chief",
    "file_io",
    "protos",
    "set_client_timeout",
]

# keras-tuner 1.4.8's `conditions.Parent.to_proto` prints a left-over debug line (the condition's
# first value) whenever a conditional search space crosses gRPC, filling every log with numbers.
# Its module's only print; shadowing the name there silences it and nothing else.
_conditions.print = lambda *args, **kwargs: None


def set_client_timeout(seconds):
    """How long a worker's `OracleClient` waits for each answer of its chief (default 1 h)."""
    _oracle_client.TIMEOUT = seconds
