"""One search over many processes: KerasTuner's distributed mode on 127.0.0.1, and tf.distribute.

The end-to-end tests run the launcher (`python -m keras_actloss.tuning.launch`)
on the moons example, as a user would, and read what every process printed.
Every wait is bounded: each test stops the processes it started itself.
"""

import json
import os
import queue
import re
import signal
import socket
import subprocess
import sys
import threading
import time

import keras
import numpy as np
import pytest
from backends import tensorflow_only
from fresh_process import run_fresh

pytest.importorskip("keras_tuner")

from keras_actloss import tuning  # noqa: E402
from keras_actloss._strategies import resolve_strategy  # noqa: E402
from keras_actloss.tuning import distributed, launch  # noqa: E402

ENV = {**os.environ, "TF_CPP_MIN_LOG_LEVEL": "3", "KERAS_BACKEND": "tensorflow"}
for _name in distributed.VARIABLES:
    ENV.pop(_name, None)

FINISHED = re.compile(r"^\[(tuner\d+)\]\s+trial (\d+): val_accuracy")
STARTED = re.compile(r"^\[(tuner\d+)\]\s+trial (\d+) started on (tuner\d+)")


def _distributed_env(monkeypatch, tuner_id, port=None):
    monkeypatch.setenv("KERASTUNER_ORACLE_IP", "127.0.0.1")
    monkeypatch.setenv("KERASTUNER_ORACLE_PORT", str(port or launch._free_port()))
    monkeypatch.setenv("KERASTUNER_TUNER_ID", tuner_id)


# --- The KerasTuner internals, in one place -------------------------------------------------


def test_keras_tuner_internals_still_exist():
    from keras_actloss.tuning import _keras_tuner_internals as internals

    for name in internals.__all__:
        assert getattr(internals, name) is not None, name
    assert internals.TrialStatus.IDLE == "IDLE"
    assert {"CreateTrial", "GetSpace", "EndTrial"} <= set(dir(internals.OracleServicer))


def test_a_conditional_space_crosses_grpc_without_printing(capsys):
    import keras_tuner

    hp = keras_tuner.HyperParameters()
    hp.Int("num_layers", 1, 3)
    with hp.conditional_scope("num_layers", [2, 3]):
        hp.Int("units_1", 8, 64)
    back = keras_tuner.HyperParameters.from_proto(hp.to_proto())
    assert [p.name for p in back.space] == ["num_layers", "units_1"]
    assert capsys.readouterr().out == ""


def test_a_workers_calls_to_the_chief_are_bounded():
    from keras_tuner.src.distribute import oracle_client

    before = oracle_client.TIMEOUT
    try:
        distributed.bound_chief_calls(7.0)
        assert oracle_client.TIMEOUT == 7.0
    finally:
        oracle_client.TIMEOUT = before


# --- Roles, settings and strategies, in this process --------------------------------------


def test_no_variables_no_distributed_mode(monkeypatch):
    for name in distributed.VARIABLES:
        monkeypatch.delenv(name, raising=False)
    assert distributed.role() is None
    assert distributed.tuner_id() == "tuner0"


@pytest.mark.parametrize(("tuner_id", "role"), [("chief", "chief"), ("tuner3", "worker")])
def test_the_tuner_id_names_the_role(monkeypatch, tuner_id, role):
    _distributed_env(monkeypatch, tuner_id)
    assert distributed.role() == role
    assert distributed.is_worker() == (role == "worker")


def test_some_variables_without_the_others_are_refused(monkeypatch):
    _distributed_env(monkeypatch, "tuner0")
    monkeypatch.delenv("KERASTUNER_ORACLE_PORT")
    with pytest.raises(ValueError, match="KERASTUNER_ORACLE_PORT not"):
        distributed.role()


def test_an_empty_variable_is_refused(monkeypatch):
    _distributed_env(monkeypatch, "")
    with pytest.raises(ValueError, match="Received: KERASTUNER_TUNER_ID=''"):
        distributed.role()


@pytest.mark.parametrize("port", ["http", "0", "70000"])
def test_a_port_that_is_no_port_is_refused(monkeypatch, port):
    _distributed_env(monkeypatch, "tuner0")
    monkeypatch.setenv("KERASTUNER_ORACLE_PORT", port)
    with pytest.raises(ValueError, match=f"port number.*Received: '{port}'"):
        distributed.role()


def test_a_worker_without_a_chief_fails_clearly_in_bounded_time(monkeypatch, tmp_path):
    _distributed_env(monkeypatch, "tuner0")
    y = np.zeros((8, 1), "float32")
    started = time.monotonic()
    with pytest.raises(distributed.ChiefUnreachableError, match="found no chief serving"):
        tuning.make_tuner(
            "random",
            tuning.TaskHyperModel("binary", (2,), y=y),
            directory=tmp_path,
            chief_timeout=1,
        )
    assert time.monotonic() - started < 10


def test_chief_timeout_must_be_positive(tmp_path):
    y = np.zeros((8, 1), "float32")
    with pytest.raises(ValueError, match="chief_timeout.*Received: chief_timeout=0"):
        tuning.make_tuner(
            "random",
            tuning.TaskHyperModel("binary", (2,), y=y),
            directory=tmp_path,
            chief_timeout=0,
        )


SETTINGS = {"tuner": "RandomSearch", "max_trials": 12, "max_epochs": 20, "search_space": "ab"}


def test_a_worker_with_the_chiefs_settings_passes(monkeypatch, tmp_path):
    _distributed_env(monkeypatch, "tuner0")
    distributed.record_settings(str(tmp_path), SETTINGS)
    distributed.check_settings(str(tmp_path), dict(SETTINGS), timeout=1)


def test_a_worker_with_other_settings_is_refused_with_each_difference(monkeypatch, tmp_path):
    _distributed_env(monkeypatch, "tuner1")
    distributed.record_settings(str(tmp_path), SETTINGS)
    mine = {**SETTINGS, "max_epochs": 5, "search_space": "cd"}
    with pytest.raises(distributed.SettingsMismatchError) as error:
        distributed.check_settings(str(tmp_path), mine, timeout=1)
    message = str(error.value)
    assert "max_epochs: chief 20, this worker 5" in message
    assert "search_space: chief 'ab', this worker 'cd'" in message
    assert "max_trials" not in message


def test_a_worker_in_another_directory_is_refused_in_bounded_time(monkeypatch, tmp_path):
    _distributed_env(monkeypatch, "tuner0")
    started = time.monotonic()
    with pytest.raises(distributed.SettingsMismatchError, match="same --out"):
        distributed.check_settings(str(tmp_path / "elsewhere"), SETTINGS, timeout=1)
    assert time.monotonic() - started < 5


def test_settings_describe_the_search(tmp_path):
    y = np.zeros((8, 1), "float32")

    def settings(**kwargs):
        tuner = tuning.make_tuner(
            "random",
            tuning.TaskHyperModel("binary", (2,), y=y, **kwargs),
            directory=tmp_path,
            max_trials=3,
            max_epochs=4,
            overwrite=True,
        )
        return distributed.settings(tuner)

    same = settings()
    assert same == settings()
    assert same["max_trials"] == 3 and same["max_epochs"] == 4
    assert same["tuner"] == "RandomSearch" and same["objective"] == "val_accuracy"
    assert settings(max_layers=2)["search_space"] != same["search_space"]


def test_a_restarted_worker_describes_the_same_search_as_the_chief(monkeypatch, tmp_path):
    y = np.zeros((8, 1), "float32")

    def tuner(**kwargs):
        hypermodel = tuning.TaskHyperModel("binary", (2,), y=y)
        return tuning.make_tuner("random", hypermodel, directory=tmp_path, max_trials=3, **kwargs)

    chief = distributed.settings(tuner(overwrite=True))
    checked = []
    monkeypatch.setattr(distributed, "wait_for_chief", lambda timeout: None)
    monkeypatch.setattr(distributed, "check_settings", lambda _, values, __: checked.append(values))
    _distributed_env(monkeypatch, "tuner0")
    tuner().save()  # what a worker leaves behind when it is killed after a trial
    restarted = tuner()
    assert restarted.role == "worker"
    assert checked == [chief, chief]  # the fresh worker, then the restarted one


def test_a_chief_on_a_taken_port_says_so(monkeypatch):
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        _distributed_env(monkeypatch, "chief", port=taken.getsockname()[1])
        with pytest.raises(OSError, match="could not listen"):
            distributed.serve(oracle=None)


def test_no_strategy_by_name():
    assert resolve_strategy(None) is None
    assert resolve_strategy("none") is None


@tensorflow_only("tf.distribute strategies run on the TensorFlow backend only")
def test_strategies_by_name():
    strategy = resolve_strategy("mirrored")
    assert type(strategy).__name__ == "MirroredStrategy"
    assert resolve_strategy(strategy) is strategy


def test_bad_strategies_are_refused(monkeypatch):
    with pytest.raises(ValueError, match="'none', 'mirrored'.*Received: 'tpu'"):
        resolve_strategy("tpu")
    with pytest.raises(TypeError, match="Received: 3 of type int"):
        resolve_strategy(3)
    monkeypatch.setattr(keras.backend, "backend", lambda: "jax")
    with pytest.raises(ValueError, match="needs the TensorFlow backend.*'jax'"):
        resolve_strategy("mirrored")


@tensorflow_only("tf.distribute strategies run on the TensorFlow backend only")
def test_make_tuner_trains_each_trial_under_the_strategy(tmp_path):
    y = np.zeros((8, 1), "float32")
    tuner = tuning.make_tuner(
        "random",
        tuning.TaskHyperModel("binary", (2,), y=y),
        directory=tmp_path,
        distribution_strategy="mirrored",
    )
    assert type(tuner.distribution_strategy).__name__ == "MirroredStrategy"


# --- The launcher's refusals ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("argv", "expected"),
    [
        (["binary_moons"], "Expected a search to distribute.*Received: --tuner None"),
        (["binary_moons", "--tuner", "none"], "Received: --tuner none"),
        (
            ["binary_moons", "--tuner", "random", "--out", "a", "--worker-args", "--out b"],
            "share --tuner, --out.*Received: chief --out a, workers --out b",
        ),
        (
            ["binary_moons", "--tuner", "random", "--worker-args=--max-trials 3"],
            "chief --max-trials None, workers --max-trials 3",
        ),
        (["no_such_example", "--tuner", "random"], "Expected a Python script or an example"),
        (["binary_moons", "--tuner", "random", "--workers", "0"], "integer >= 1"),
    ],
)
def test_the_launcher_refuses_settings_that_make_no_one_search(argv, expected, capsys):
    with pytest.raises(SystemExit) as exit_:
        launch.main(argv)
    assert exit_.value.code == 2
    assert re.search(expected, capsys.readouterr().err.replace("\n", " "))


def test_the_launcher_refuses_a_port_in_use(capsys):
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = str(taken.getsockname()[1])
        with pytest.raises(SystemExit):
            launch.main(["binary_moons", "--tuner", "random", "--port", port])
    assert f"Expected a free --port: the chief must serve on it. Received: --port {port}" in (
        capsys.readouterr().err.replace("\n", " ")
    )


def test_the_launcher_refuses_to_run_inside_a_distributed_process(monkeypatch, capsys):
    _distributed_env(monkeypatch, "tuner0")
    with pytest.raises(SystemExit):
        launch.main(["binary_moons", "--tuner", "random"])
    assert "KERASTUNER_ORACLE_IP" in capsys.readouterr().err


def test_the_workers_may_train_differently_from_the_chief():
    args, options = launch.parser().parse_known_args(
        ["binary_moons", "--tuner", "random", "--worker-args", "--strategy mirrored"]
    )
    command = launch.check(args, options, ["--strategy", "mirrored"])
    assert command[-1] == "keras_actloss.examples.binary_moons"


# --- End to end: processes on 127.0.0.1 ----------------------------------------------------


class Launched:
    """The launcher in a subprocess, its output read line by line as it comes."""

    def __init__(self, argv, backend="tensorflow", ignoring_sigint=False):
        self.popen = subprocess.Popen(
            [sys.executable, "-m", "keras_actloss.tuning.launch", *argv],
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            env={**ENV, "KERAS_BACKEND": backend},
            start_new_session=True,
            # As a script's background job starts: with SIGINT ignored.
            preexec_fn=(lambda: signal.signal(signal.SIGINT, signal.SIG_IGN))
            if ignoring_sigint
            else None,
        )
        self.lines = []
        self._queue = queue.Queue()
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self):
        for line in self.popen.stdout:
            self._queue.put(line.rstrip("\n"))
        self._queue.put(None)

    def wait_for(self, pattern, timeout):
        """The first line (from now) matching `pattern`, waiting at most `timeout` seconds."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                line = self._queue.get(timeout=max(0.1, deadline - time.monotonic()))
            except queue.Empty:
                break
            if line is None:
                break
            self.lines.append(line)
            match = re.search(pattern, line)
            if match:
                return match
        raise AssertionError(f"no line matching {pattern!r}; output:\n" + self.output())

    def finish(self, timeout):
        """Waits for the launcher to end (at most `timeout` s); returns its exit status."""
        try:
            status = self.popen.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.stop()
            self._drain()  # what it printed after the last line a test waited for
            raise AssertionError("the launcher did not finish in time:\n" + self.output()) from None
        self._drain()
        return status

    def _drain(self):
        try:
            while (line := self._queue.get(timeout=10)) is not None:
                self.lines.append(line)
        except queue.Empty:
            pass

    def stop(self):
        # SIGTERM makes the launcher stop its processes; SIGKILL what is left.
        if self.popen.poll() is None:
            self.popen.terminate()
            try:
                self.popen.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(self.popen.pid, signal.SIGKILL)
                self.popen.wait()

    def output(self):
        return "\n".join(self.lines)


@pytest.fixture
def launched():
    started = []

    def start(argv, **kwargs):
        started.append(Launched(argv, **kwargs))
        return started[-1]

    yield start
    for item in started:
        item.stop()


def _trial_statuses(project):
    return {
        path.parent.name.removeprefix("trial_"): json.loads(path.read_text())["status"]
        for path in project.glob("trial_*/trial.json")
    }


def _moons_search(out, trials, epochs, *extra):
    """The launcher's arguments for a random search of the moons example with 2 workers."""
    return [
        "binary_moons",
        "--workers",
        "2",
        "--tuner",
        "random",
        "--max-trials",
        str(trials),
        "--max-epochs",
        str(epochs),
        "--out",
        str(out),
        *extra,
    ]


def _finished(lines):
    return [FINISHED.match(line).groups() for line in lines if FINISHED.match(line)]


@pytest.mark.slow
def test_a_chief_and_two_workers_run_every_trial_once(launched, tmp_path):
    out = tmp_path / "out"
    trials = 6
    # Per-role options: the workers train with a MirroredStrategy (the chief trains none).
    run = launched(_moons_search(out, trials, 4, "--worker-args", "--strategy mirrored"))
    assert run.finish(timeout=400) == 0, run.output()
    finished = _finished(run.lines)
    ids = sorted(trial for _, trial in finished)
    assert ids == [f"{i}" for i in range(trials)], run.output()  # each trial once
    assert {worker for worker, _ in finished} == {"tuner0", "tuner1"}, run.output()
    assert set(_trial_statuses(out / "search" / "random").values()) == {"COMPLETED"}

    # Only the chief reported; its best model reloads in a fresh process and scores the same.
    report = json.loads((out / "results.json").read_text())
    assert report["search"]["trials_finished"] == trials
    assert not any(re.match(r"\[tuner\d\] (Test|Ranked|Saved)", line) for line in run.lines)
    again = run_fresh(
        """
        import json, sys
        import numpy as np, keras
        import keras_actloss
        model = keras.models.load_model(sys.argv[1])
        data = np.load(sys.argv[2])
        print(json.dumps(model.evaluate(data["x"], data["y"], verbose=0, return_dict=True)))
        """,
        [str(out / "model.keras"), str(out / "test_data.npz")],
    )
    assert again["accuracy"] == pytest.approx(report["results"]["test_accuracy"], abs=1e-6)
    assert again["loss"] == pytest.approx(report["results"]["test_loss"], rel=1e-5)


@pytest.mark.slow
def test_a_worker_killed_mid_trial_is_restarted_and_the_search_finishes(launched, tmp_path):
    out = tmp_path / "out"
    trials = 5
    run = launched(_moons_search(out, trials, 6))
    pid = int(run.wait_for(r"^\[launch\] started tuner0 \(pid (\d+)\)", timeout=180).group(1))
    # Its second trial: by then it has saved its state, which the restarted worker reloads.
    run.wait_for(r"^\[tuner0\]\s+trial \d+: val_accuracy", timeout=180)
    killed = run.wait_for(r"^\[tuner0\]\s+trial (\d+) started on tuner0", timeout=180).group(1)
    time.sleep(0.5)  # into the trial's training (each takes seconds)
    os.kill(pid, signal.SIGKILL)
    assert run.finish(timeout=400) == 0, run.output()

    assert re.search(r"\[launch\] tuner0 exited with status -9 .*restart 1 of 3", run.output()), (
        run.output()
    )
    finished = _finished(run.lines)
    ids = sorted(trial for _, trial in finished)
    assert ids == [f"{i}" for i in range(trials)], run.output()  # none lost, none repeated
    starts = [m.group(2) for line in run.lines if (m := STARTED.match(line))]
    assert starts.count(killed) == 2, run.output()  # the killed trial ran again, once
    assert dict(finished)  # every finished trial was reported by a worker
    assert set(_trial_statuses(out / "search" / "random").values()) == {"COMPLETED"}
    assert json.loads((out / "results.json").read_text())["search"]["trials_finished"] == trials


@pytest.mark.slow
def test_a_worker_with_no_chief_fails_clearly_in_bounded_time(tmp_path):
    env = {
        **ENV,
        "KERASTUNER_ORACLE_IP": "127.0.0.1",
        "KERASTUNER_ORACLE_PORT": str(launch._free_port()),
        "KERASTUNER_TUNER_ID": "tuner0",
    }
    started = time.monotonic()
    result = subprocess.run(
        [sys.executable, "-m", "keras_actloss.examples.binary_moons", "--tuner", "random"]
        + ["--chief-timeout", "3", "--out", str(tmp_path)],
        capture_output=True,
        text=True,
        env=env,
        timeout=180,
    )
    assert result.returncode == 2, result.stderr[-3000:]
    assert "found no chief serving the search at 127.0.0.1:" in result.stderr
    assert time.monotonic() - started < 120


@pytest.mark.slow
def test_a_worker_of_another_search_is_refused_by_the_chiefs_record(tmp_path):
    port = str(launch._free_port())
    base = {**ENV, "KERASTUNER_ORACLE_IP": "127.0.0.1", "KERASTUNER_ORACLE_PORT": port}
    example = [sys.executable, "-m", "keras_actloss.examples.binary_moons", "--tuner", "random"]
    chief = subprocess.Popen(
        [*example, "--max-trials", "2", "--out", str(tmp_path / "shared")],
        env={**base, "KERASTUNER_TUNER_ID": "chief"},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 180
        while not launch._serving(int(port)):
            assert chief.poll() is None and time.monotonic() < deadline, "the chief never served"
            time.sleep(0.2)
        worker = {**base, "KERASTUNER_TUNER_ID": "tuner0"}

        def join(*options):
            # The chief serves already: the timeout bounds the wait for its record.
            return subprocess.run(
                [*example, "--chief-timeout", "5", *options],
                capture_output=True,
                text=True,
                env=worker,
                timeout=240,
            )

        elsewhere = join("--max-trials", "2", "--out", str(tmp_path / "other"))
        assert elsewhere.returncode == 2, elsewhere.stderr[-3000:]
        assert "found no search of its in" in elsewhere.stderr
        assert "same --out" in elsewhere.stderr

        budget = join("--max-trials", "3", "--out", str(tmp_path / "shared"))
        assert budget.returncode == 2, budget.stderr[-3000:]
        assert "max_trials: chief 2, this worker 3" in budget.stderr
    finally:
        chief.kill()
        chief.wait(timeout=30)


MIRRORED_TRIAL = """
import json, sys
import tensorflow as tf

cpu = tf.config.list_physical_devices("CPU")[0]
tf.config.set_logical_device_configuration(cpu, [tf.config.LogicalDeviceConfiguration()] * 2)
import keras, keras_tuner
from sklearn.datasets import make_moons
from keras_actloss import tuning

x, y = make_moons(400, noise=0.2, random_state=0)
x = x.astype("float32")
y = y.reshape(-1, 1).astype("float32")
fixed = keras_tuner.HyperParameters()
fixed.Fixed("dropout", 0.0)  # dropout's masks would differ between replicas
keras.utils.set_random_seed(7)
tuner = tuning.make_tuner(
    "random", tuning.TaskHyperModel("binary", (2,), y=y), max_trials=1, max_epochs=5,
    directory=sys.argv[2], seed=3, hyperparameters=fixed, distribution_strategy=sys.argv[1],
)
tuner.search(x[:300], y[:300], validation_data=(x[300:], y[300:]), verbose=0)
strategy = tuner.distribution_strategy
print(json.dumps({
    "val_loss": tuner.history(tuner.ranked_trials()[0].trial_id)["val_loss"],
    "replicas": strategy.num_replicas_in_sync if strategy else 1,
}))
"""


@pytest.mark.slow
def test_a_mirrored_trial_over_two_cpus_matches_one_device(tmp_path):
    one = run_fresh(MIRRORED_TRIAL, ["none", str(tmp_path / "one")])
    two = run_fresh(MIRRORED_TRIAL, ["mirrored", str(tmp_path / "two")])
    assert (one["replicas"], two["replicas"]) == (1, 2)
    assert len(two["val_loss"]) == 5
    np.testing.assert_allclose(two["val_loss"], one["val_loss"], atol=1e-4)
    assert one["val_loss"][-1] < one["val_loss"][0]  # it trained


def _alive(pid):
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True


@pytest.mark.slow
@pytest.mark.parametrize("stopped", ["launcher", "launcher in the background", "chief"])
def test_the_launcher_stops_every_process_on_ctrl_c_or_a_failed_chief(stopped, launched, tmp_path):
    # In the background, SIGINT comes ignored: the launcher must still stop on it.
    run = launched(_moons_search(tmp_path, 20, 20), ignoring_sigint=stopped.endswith("background"))
    pids = {}
    while len(pids) < 3:
        match = run.wait_for(r"^\[launch\] started (\w+) \(pid (\d+)\)", timeout=180)
        pids[match.group(1)] = int(match.group(2))
    run.wait_for(r"^\[tuner\d\]\s+trial \d+ started", timeout=180)
    if stopped.startswith("launcher"):
        run.popen.send_signal(signal.SIGINT)  # Ctrl-C
        expected, message = 130, "interrupted; stopping every process"
    else:
        os.kill(pids["chief"], signal.SIGKILL)
        expected, message = 128 + signal.SIGKILL, "the chief failed with status -9"
    assert run.finish(timeout=60) == expected, run.output()
    assert message in run.output()
    assert not [name for name, pid in pids.items() if _alive(pid)]


@pytest.mark.slow
@pytest.mark.parametrize("backend", ["jax", "torch"])
def test_a_distributed_search_runs_on_every_backend(backend, launched, tmp_path):
    pytest.importorskip(backend)
    out = tmp_path / "out"
    run = launched(_moons_search(out, 3, 2), backend=backend)
    assert run.finish(timeout=400) == 0, run.output()
    assert sorted(trial for _, trial in _finished(run.lines)) == ["0", "1", "2"], run.output()
    assert json.loads((out / "results.json").read_text())["search"]["trials_finished"] == 3


def test_an_example_refuses_a_strategy_off_tensorflow(monkeypatch, capsys, tmp_path):
    from keras_actloss import examples

    monkeypatch.setattr(keras.backend, "backend", lambda: "jax")
    status = examples.run("binary_moons", ["--strategy", "mirrored", "--out", str(tmp_path)])
    assert status == 1
    assert "error: A tf.distribute strategy needs the TensorFlow backend" in capsys.readouterr().err
    assert not list(tmp_path.iterdir())  # refused before anything ran
