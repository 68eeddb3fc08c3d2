"""procs: children stopped as a group (TERM, then KILL), folders removed, SIGTERM unwinds a command."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from mypref_harness import procs

# A child that ignores SIGTERM and forks a grandchild into its group; it prints both pids once its
# handler is in place, so the test never signals before the child is ready.
STUBBORN = r"""
import os, signal, subprocess, sys, time
signal.signal(signal.SIGTERM, signal.SIG_IGN)
grandchild = subprocess.Popen([sys.executable, "-c", "import signal, time; "
                               "signal.signal(signal.SIGTERM, signal.SIG_IGN); time.sleep(600)"])
print(os.getpid(), grandchild.pid, flush=True)
time.sleep(600)
"""


def alive(pid: int) -> bool:
    """True while ``pid`` exists and is not a zombie (an unreaped orphan is dead for our purpose)."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return False
    return stat.rsplit(")", 1)[1].split()[0] != "Z"


def gone(pid: int, within: float = 10.0) -> bool:
    """True once ``pid`` has died: a SIGKILL is delivered asynchronously to other processes."""
    deadline = time.monotonic() + within
    while alive(pid):
        if time.monotonic() > deadline:
            return False
        time.sleep(0.02)
    return True


def test_stop_kills_a_group_that_ignores_sigterm_grandchild_included():
    child = procs.start([sys.executable, "-c", STUBBORN], name="stubborn", stdout=subprocess.PIPE, text=True)
    assert child in procs.live_children()
    pid, grandchild = (int(x) for x in child.popen.stdout.readline().split())
    assert alive(pid) and alive(grandchild)
    code = child.stop(grace=0.5)
    assert code == -signal.SIGKILL  # TERM was ignored, so the KILL did it
    assert not alive(pid)
    assert gone(grandchild)
    assert child not in procs.live_children()


def test_a_child_that_honours_sigterm_is_not_killed():
    child = procs.start(
        [sys.executable, "-c", "import time; print('up', flush=True); time.sleep(600)"],
        name="polite", stdout=subprocess.PIPE, text=True,
    )
    assert child.popen.stdout.readline().strip() == "up"
    assert child.stop(grace=30) == -signal.SIGTERM


def test_temp_dir_is_removed_at_the_end_of_the_block_even_on_error():
    with pytest.raises(RuntimeError), procs.temp_dir("mypref-test-") as path:
        (path / "file").write_text("x")
        assert path in procs.live_dirs()
        raise RuntimeError("boom")
    assert not path.exists()
    assert path not in procs.live_dirs()


def test_sigterm_in_a_command_scope_unwinds_and_leaves_earlier_children_alone():
    before = procs.start([sys.executable, "-c", "import time; time.sleep(600)"], name="fixture")
    previous_handler = signal.getsignal(signal.SIGTERM)
    try:
        with pytest.raises(procs.Terminated) as info, procs.command_scope():
            mine = procs.start([sys.executable, "-c", "import time; time.sleep(600)"], name="mine")
            folder = Path(procs.temp_dir("mypref-test-").__enter__())  # left open: the scope removes it
            os.kill(os.getpid(), signal.SIGTERM)
            for _ in range(500):  # the handler raises at the next bytecode boundary; bounded anyway
                time.sleep(0.01)
            pytest.fail("SIGTERM did not raise Terminated")
        assert info.value.exit_code == 128 + signal.SIGTERM
        assert not mine.running
        assert not folder.exists()
        assert before.running
        assert signal.getsignal(signal.SIGTERM) is previous_handler  # restored after the command
    finally:
        before.stop()


def test_a_signal_during_a_child_start_is_raised_once_the_child_is_registered():
    with pytest.raises(procs.Terminated), procs.command_scope(), procs._signals_deferred():
        procs._raise_terminated(signal.SIGTERM, None)  # as if it arrived inside Popen()
        child = procs.start([sys.executable, "-c", "import time; time.sleep(600)"], name="late")
        assert child in procs.live_children()  # not raised yet: registration comes first
    assert not child.running  # and the scope stopped it


def test_a_stop_interrupted_by_sigterm_is_finished_by_the_scope():
    stubborn = [sys.executable, "-c", "import signal, time; signal.signal(signal.SIGTERM, signal.SIG_IGN); "
                "print('up', flush=True); time.sleep(600)"]
    with pytest.raises(procs.Terminated), procs.command_scope():
        child = procs.start(stubborn, name="stubborn", stdout=subprocess.PIPE, text=True)
        assert child.popen.stdout.readline().strip() == "up"
        # The signal lands while stop() waits out its (long) grace period for the ignored SIGTERM.
        threading.Timer(0.3, os.kill, (os.getpid(), signal.SIGTERM)).start()
        child.stop(grace=60)
    assert not child.running  # the scope's clean-up finished the job (SIGKILL after its grace)
    assert child not in procs.live_children()
