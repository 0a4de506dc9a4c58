"""One search over many processes: KerasTuner's distributed mode, bounded and checked.

KerasTuner runs a search over several processes when three variables are
set in each of them:

- ``KERASTUNER_ORACLE_IP`` and ``KERASTUNER_ORACLE_PORT``: where the chief
  serves the search's oracle over gRPC;
- ``KERASTUNER_TUNER_ID``: ``chief`` for the process that serves the oracle
  (it runs no trial), a name of its own for each worker (``tuner0``,
  ``tuner1``, ...).

Every process builds the same tuner on one shared directory. This module
adds what KerasTuner leaves out, so that a mistake fails fast and clearly
instead of hanging:

- a worker waits for the chief at most `chief_timeout` seconds, and every
  later call to the chief is bounded the same way (KerasTuner waits an hour
  per call);
- the chief records the search's settings in the shared directory and each
  worker checks its own against them, so a worker with another directory,
  tuner, budget or search space is refused;
- the chief polls for the end of the search every half second (KerasTuner
  sleeps 20 s) and stops its server when it is done;
- a worker that asks for a trial while the oracle waits for others (a
  Hyperband round) sleeps briefly instead of asking again at once.

A worker that dies in mid-trial leaves its trial running on the chief, and
the chief waits for it: restart the worker under its own
``KERASTUNER_TUNER_ID`` and the chief hands it that trial again
(`keras_actloss.tuning.launch` does so on one machine).
"""

from __future__ import annotations

import hashlib
import json
import os
import time

from keras_actloss.tuning._keras_tuner_internals import (
    OracleClient,
    OracleServicer,
    TrialStatus,
    exit_chief,
    file_io,
    protos,
    set_client_timeout,
)

#: How long a worker waits for the chief by default, at start and on every call (seconds).
DEFAULT_CHIEF_TIMEOUT = 300.0
#: The variables that put a process in KerasTuner's distributed mode.
VARIABLES = ("KERASTUNER_ORACLE_IP", "KERASTUNER_ORACLE_PORT", "KERASTUNER_TUNER_ID")

_SETTINGS = "distributed_search.json"
_POLL_S = 0.5


class ChiefUnreachableError(ConnectionError):
    """A worker found no chief at ``KERASTUNER_ORACLE_IP:KERASTUNER_ORACLE_PORT`` in time."""


class SettingsMismatchError(ValueError):
    """A worker's search differs from the chief's (directory, tuner, budget or space)."""


def role():
    """``None`` outside distributed mode, else ``"chief"`` or ``"worker"``.

    Raises:
        ValueError: when only some of `VARIABLES` are set, or the port is not a port.
    """
    # KerasTuner tests whether the variables are set, not whether they hold anything.
    present = [name for name in VARIABLES if name in os.environ]
    if not present:
        return None
    empty = [name for name in present if not os.environ[name]]
    if empty:
        raise ValueError(
            f"Expected a value in each of {', '.join(VARIABLES)}. Received: "
            + ", ".join(f"{name}=''" for name in empty)
        )
    if len(present) < len(VARIABLES):
        missing = [name for name in VARIABLES if name not in present]
        raise ValueError(
            f"Expected all of {', '.join(VARIABLES)} set for a distributed search, or none. "
            f"Received: {', '.join(present)} set, {', '.join(missing)} not."
        )
    chief_address()  # checks the port
    # KerasTuner's own test (`distribute.utils.is_chief_oracle`): the ID contains "chief".
    return "chief" if "chief" in os.environ["KERASTUNER_TUNER_ID"] else "worker"


def is_worker():
    """Whether this process runs trials for a chief elsewhere."""
    return role() == "worker"


def tuner_id():
    """This process's ``KERASTUNER_TUNER_ID`` (``tuner0`` outside distributed mode)."""
    return os.environ.get("KERASTUNER_TUNER_ID", "tuner0")


def chief_address():
    """``"ip:port"`` from the environment."""
    port = os.environ.get("KERASTUNER_ORACLE_PORT", "")
    if not port.isdigit() or not 0 < int(port) < 65536:
        raise ValueError(
            f"Expected KERASTUNER_ORACLE_PORT to be a port number (1 to 65535). Received: {port!r}"
        )
    return f"{os.environ.get('KERASTUNER_ORACLE_IP')}:{port}"


def wait_for_chief(timeout):
    """Blocks until the chief's gRPC server answers, for at most `timeout` seconds.

    Raises:
        ChiefUnreachableError: when it does not answer in time.
    """
    import grpc

    address = chief_address()
    channel = grpc.insecure_channel(address)
    try:
        grpc.channel_ready_future(channel).result(timeout=timeout)
    except grpc.FutureTimeoutError:
        raise ChiefUnreachableError(
            f"Worker {tuner_id()} found no chief serving the search at {address} within "
            f"{timeout:g} s (KERASTUNER_ORACLE_IP, KERASTUNER_ORACLE_PORT). Start the chief "
            "(KERASTUNER_TUNER_ID=chief) on that address with the same search directory, "
            "or give the workers a longer chief timeout."
        ) from None
    finally:
        channel.close()


def bound_chief_calls(timeout):
    """Makes every call a worker sends the chief give up after `timeout` seconds.

    KerasTuner's client waits up to an hour for each answer, so a worker
    whose chief has died would hang for that long.
    """
    set_client_timeout(timeout)


class PatientOracleClient(OracleClient):
    """KerasTuner's worker-side oracle, pausing before it asks again for a trial.

    While the oracle waits for trials running elsewhere (between Hyperband's
    rounds) it answers "idle", and KerasTuner's worker would ask again at
    once, keeping a core busy with requests.
    """

    def create_trial(self, tuner_id):
        trial = super().create_trial(tuner_id)
        if trial.status == TrialStatus.IDLE:
            time.sleep(_POLL_S)
        return trial


def settings(tuner):
    """What every process of one search must agree on, as a JSON-ready dict."""
    # A worker's `oracle` is KerasTuner's client; the oracle it wraps holds the local space.
    oracle = getattr(tuner.oracle, "_oracle", tuner.oracle)
    space = oracle.hyperparameters.get_config()
    return {
        "tuner": type(tuner).__name__,
        "hypermodel": type(tuner.hypermodel).__name__,
        "objective": oracle.objective.name,
        "max_trials": oracle.max_trials,
        "max_epochs": tuner.max_epochs,
        "search_space": hashlib.sha256(
            json.dumps(space, sort_keys=True, default=str).encode()
        ).hexdigest()[:16],
    }


def _settings_path(project_dir):
    return os.path.join(project_dir, _SETTINGS)


def record_settings(project_dir, values):
    """The chief's side: writes `values` (from `settings`) into the shared directory."""
    with file_io.File(_settings_path(project_dir), "w") as file:
        file.write(json.dumps(values, indent=2) + "\n")


def check_settings(project_dir, values, timeout):
    """The worker's side: compares `values` with what the chief recorded.

    Raises:
        SettingsMismatchError: when the chief recorded nothing in
            `project_dir` within `timeout` seconds (the worker was given
            another directory) or recorded other settings.
    """
    path = _settings_path(project_dir)
    deadline = time.monotonic() + timeout
    # A network file system may show the chief's file a little late.
    while not file_io.exists(path):
        if time.monotonic() > deadline:
            raise SettingsMismatchError(
                f"Worker {tuner_id()} reached the chief at {chief_address()} but found no "
                f"search of its in {project_dir}. Chief and workers must share one search "
                f"directory (the same --out). Received: {project_dir}"
            )
        time.sleep(_POLL_S)
    with file_io.File(path, "r") as file:
        chief = json.loads(file.read())
    differ = {k: (chief.get(k), v) for k, v in values.items() if chief.get(k) != v}
    if differ:
        listed = "; ".join(f"{k}: chief {c!r}, this worker {w!r}" for k, (c, w) in differ.items())
        raise SettingsMismatchError(
            f"Worker {tuner_id()} runs another search than the chief at {chief_address()}: "
            f"give every process the same tuner, budget and hypermodel. Received: {listed}"
        )


def serve(oracle):
    """The chief's side of `search`: serves `oracle` until every trial is done and every
    worker has been told to stop; then stops the server.

    KerasTuner's own loop (`keras_tuner...oracle_chief.start_server`) with a shorter poll.
    """
    from concurrent import futures

    import grpc

    address = chief_address()
    server = grpc.server(futures.ThreadPoolExecutor(max_workers=1))
    servicer = OracleServicer(oracle)
    protos.get_service_grpc().add_OracleServicer_to_server(servicer, server)
    try:
        bound = server.add_insecure_port(address)
    except RuntimeError as error:  # grpcio raises where older versions returned 0
        bound, cause = 0, error
    else:
        cause = None
    if not bound:
        raise OSError(
            f"The chief could not listen on {address}: is another process using the port? "
            f"Received: KERASTUNER_ORACLE_IP={os.environ.get('KERASTUNER_ORACLE_IP')!r}, "
            f"KERASTUNER_ORACLE_PORT={os.environ.get('KERASTUNER_ORACLE_PORT')!r}"
        ) from cause
    server.start()
    try:
        while not (servicer.stop_triggered and exit_chief(oracle)):
            time.sleep(_POLL_S)
    finally:
        server.stop(grace=1.0)
