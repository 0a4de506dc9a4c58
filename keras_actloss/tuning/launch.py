"""Runs one search as a chief and N workers on this machine (KerasTuner's distributed mode).

    python -m keras_actloss.tuning.launch examples/binary_moons.py --workers 2 --tuner random
    python -m keras_actloss.tuning.launch binary_moons --workers 2 --tuner bayesian --max-trials 12

The first argument is a script, or the name of one of the package's examples;
the launcher's own options (below) are taken out and every other option is
passed to each process. The chief (``KERASTUNER_TUNER_ID=chief``) starts
first and serves the search on 127.0.0.1; once it answers, the workers
(``tuner0``, ``tuner1``, ...) start and run the trials. Each line a process
prints comes out prefixed with its ID.

A worker that dies before the search is done is started again under its
own ID, at most ``--max-restarts`` times, so the chief hands it the trial it
left unfinished. A worker that exits with status 2 (a refused setting or no
chief) is not restarted: running it again would fail the same way. The
launcher stops every process it started when the chief ends, when the chief
or a worker fails for good, and on Ctrl-C (or SIGTERM).

Exit status: the chief's when it ends (128 + N when signal N killed it);
1 when a worker died more than ``--max-restarts`` times, a worker refused
its settings, or the chief never answered; 2 for bad options; 130 when
interrupted.
"""

from __future__ import annotations

import argparse
import os
import random
import shlex
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

from keras_actloss.tuning.distributed import VARIABLES

#: The example options every process of one search must share (the workers may differ in the
#: rest, such as ``--strategy``: the chief trains no model).
SHARED_OPTIONS = ("--tuner", "--out", "--max-trials", "--max-epochs", "--seed")
#: Exit status of a process that refuses its settings, or finds no chief: not worth a restart.
REFUSED = 2

_POLL_S = 0.2


class _Stop(Exception):
    """SIGINT (Ctrl-C) or SIGTERM: stop every process."""


def parser():
    p = argparse.ArgumentParser(
        prog="python -m keras_actloss.tuning.launch",
        description="Run one KerasTuner search as a chief and N worker processes on this "
        "machine. Options not listed here go to every process.",
        allow_abbrev=False,
    )
    p.add_argument("script", help="a Python script, or the name of an example (binary_moons)")
    p.add_argument("--workers", type=_count(1), default=2, help="worker processes (default 2)")
    p.add_argument(
        "--port", type=_count(0), default=0, help="the chief's port on 127.0.0.1 (default: free)"
    )
    p.add_argument(
        "--max-restarts",
        type=_count(0),
        default=3,
        help="times each worker is started again after dying (default 3)",
    )
    p.add_argument(
        "--start-timeout",
        type=_count(1),
        default=300,
        help="seconds to wait for the chief to serve before giving up (default 300)",
    )
    p.add_argument(
        "--worker-args",
        default="",
        help='options for the workers only, as one string (e.g. "--strategy mirrored")',
    )
    return p


def _count(minimum):
    def parse(text):
        try:
            value = int(text)
        except ValueError:
            value = minimum - 1
        if value < minimum:
            raise argparse.ArgumentTypeError(
                f"expected an integer >= {minimum}. Received: {text!r}"
            )
        return value

    return parse


def _shared(options):
    """The `SHARED_OPTIONS` values in `options` (an example's command line)."""
    p = argparse.ArgumentParser(add_help=False, allow_abbrev=False)
    for name in SHARED_OPTIONS:
        p.add_argument(name, dest=name)
    known, _ = p.parse_known_args(options)
    return vars(known)


def _command(script):
    from keras_actloss import examples

    if Path(script).is_file():
        return [sys.executable, script]
    if script in examples.NAMES:
        return [sys.executable, "-m", f"keras_actloss.examples.{script}"]
    raise ValueError(
        f"Expected a Python script or an example ({', '.join(examples.NAMES)}). "
        f"Received: {script!r}"
    )


def check(args, options, worker_options):
    """Refuses settings that cannot make one search; returns the command to run.

    Raises:
        ValueError: for a search that is no search, settings the chief and
            workers do not share, or distributed-mode variables already set.
    """
    command = _command(args.script)
    chief = _shared(options)
    worker = _shared(options + worker_options)
    if chief["--tuner"] in (None, "none"):
        raise ValueError(
            "Expected a search to distribute: --tuner hyperband, bayesian, random or grid. "
            f"Received: --tuner {chief['--tuner']}"
        )
    differ = [name for name in SHARED_OPTIONS if chief[name] != worker[name]]
    if differ:
        listed = "; ".join(f"chief {n} {chief[n]}, workers {n} {worker[n]}" for n in differ)
        raise ValueError(
            f"Expected the chief and the workers to share {', '.join(SHARED_OPTIONS)}: they "
            f"make one search in one folder. Received: {listed}"
        )
    if args.port and not _free(args.port):
        raise ValueError(
            f"Expected a free --port: the chief must serve on it. Received: --port {args.port} "
            "(in use)"
        )
    already = [name for name in VARIABLES if name in os.environ]
    if already:
        raise ValueError(
            "Expected none of the distributed-mode variables set: the launcher sets them for "
            f"each process. Received: {', '.join(already)} set"
        )
    return command


def _free_port():
    """A port free now, below Linux's ephemeral range (32768 and up by default).

    The port is released before the chief binds it; a port the kernel hands
    out on its own (bind to 0) could meanwhile become the source port of
    any outgoing connection, and the chief could not listen on it.
    """
    rng = random.Random()
    for _ in range(200):
        port = rng.randrange(20000, 32768)
        if _free(port):
            return port
    with socket.socket() as s:  # a crowded range: let the kernel choose
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _free(port):
    with socket.socket() as s:
        try:
            s.bind(("127.0.0.1", port))
        except OSError:
            return False
    return True


def _serving(port):
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=1):
            return True
    except OSError:
        return False


class _Process:
    """One started process, its output relayed line by line with its ID in front."""

    def __init__(self, name, command, env):
        self.name = name
        self.restarts = 0
        self.command = command
        self.env = env
        self.start()

    def start(self):
        self.popen = subprocess.Popen(
            self.command,
            env=self.env,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            bufsize=1,
            # Its own process group: stopping it stops what it started (the fresh-process check).
            start_new_session=True,
        )
        _say(f"started {self.name} (pid {self.popen.pid})")
        self.relay = threading.Thread(target=self._relay, daemon=True)
        self.relay.start()

    def _relay(self):
        for line in self.popen.stdout:
            print(f"[{self.name}] {line}", end="", flush=True)

    def poll(self):
        return self.popen.poll()

    def signal(self, number):
        try:
            os.killpg(self.popen.pid, number)
        except (ProcessLookupError, PermissionError):
            pass


def _say(message):
    print(f"[launch] {message}", flush=True)


def stop(processes, grace=5.0):
    """SIGTERM to every process still running, SIGKILL to those left after `grace` seconds."""
    running = [p for p in processes if p.poll() is None]
    for p in running:
        p.signal(signal.SIGTERM)
    deadline = time.monotonic() + grace
    while any(p.poll() is None for p in running) and time.monotonic() < deadline:
        time.sleep(_POLL_S)
    for p in running:
        if p.poll() is None:
            p.signal(signal.SIGKILL)
        p.popen.wait()
        p.relay.join(timeout=1)


def run(args, command, options, worker_options):
    """Starts the chief, then the workers; watches them to the end. Returns the exit status."""
    port = args.port or _free_port()
    base = {**os.environ, "KERASTUNER_ORACLE_IP": "127.0.0.1", "KERASTUNER_ORACLE_PORT": str(port)}
    chief = _Process("chief", command + options, {**base, "KERASTUNER_TUNER_ID": "chief"})
    processes = [chief]
    try:
        deadline = time.monotonic() + args.start_timeout
        while not _serving(port):
            if chief.poll() is not None:
                _say(f"the chief exited with status {chief.poll()} before serving the search.")
                return chief.poll() or 1
            if time.monotonic() > deadline:
                _say(f"the chief did not serve on 127.0.0.1:{port} within {args.start_timeout} s.")
                return 1
            time.sleep(_POLL_S)
        _say(f"the chief serves the search on 127.0.0.1:{port}; starting {args.workers} worker(s).")
        workers = []
        for i in range(args.workers):
            environment = {**base, "KERASTUNER_TUNER_ID": f"tuner{i}"}
            workers.append(_Process(f"tuner{i}", command + options + worker_options, environment))
            processes.append(workers[-1])  # at once: a Ctrl-C now must stop it too
        done = set()
        while True:
            status = chief.poll()
            if status is not None:
                chief.relay.join(timeout=5)
                if status == 0:
                    _say("the chief finished the search.")
                    return 0
                _say(f"the chief failed with status {status}; stopping the workers.")
                # A shell's convention for a process killed by a signal: 128 + its number.
                return status if status > 0 else 128 - status
            for worker in workers:
                status = worker.poll()
                if status is None or worker.name in done:
                    continue
                if status == 0:
                    done.add(worker.name)
                elif status == REFUSED:
                    worker.relay.join(timeout=5)
                    _say(
                        f"{worker.name} refused its settings or found no chief (status 2); "
                        "stopping the search."
                    )
                    return 1
                elif worker.restarts < args.max_restarts:
                    worker.restarts += 1
                    worker.relay.join(timeout=5)
                    _say(
                        f"{worker.name} exited with status {status} before the search was "
                        f"done; starting it again under its own ID (restart {worker.restarts} "
                        f"of {args.max_restarts}) so that its unfinished trial runs again."
                    )
                    worker.start()
                else:
                    _say(
                        f"{worker.name} died {worker.restarts + 1} times (last status {status}); "
                        "stopping the search. Run the same command again to resume it."
                    )
                    return 1
            time.sleep(_POLL_S)
    except (KeyboardInterrupt, _Stop):
        _say("interrupted; stopping every process. Run the same command again to resume.")
        return 130
    finally:
        stop(processes)


def main(argv=None):
    p = parser()
    args, options = p.parse_known_args(argv)
    worker_options = shlex.split(args.worker_args)
    try:
        command = check(args, options, worker_options)
    except ValueError as error:
        p.error(str(error))

    def terminate(signum, frame):
        raise _Stop()

    # SIGINT too, explicitly: a process started in the background by a script inherits
    # SIGINT ignored, and would otherwise go on when told to stop.
    stopping = (signal.SIGTERM, signal.SIGINT)
    previous = {number: signal.signal(number, terminate) for number in stopping}
    try:
        return run(args, command, options, worker_options)
    finally:
        for number, handler in previous.items():
            signal.signal(number, handler)


if __name__ == "__main__":
    raise SystemExit(main())
