import re
import subprocess
import sys

import pytest

from mypref_harness import cli
from mypref_harness.cli import main

EVERY_COMMAND = ("sign", "vectors", "spec", "sandbox", "contract", "auth-conformance", "load", "gate",
                 "discover", "replay")


def test_no_command_prints_help_and_exits_with_usage(capsys):
    assert main([]) == 2
    assert "usage" in capsys.readouterr().out.lower()


def test_a_closed_pipe_is_not_a_traceback():
    # Like `mypref-harness spec list | head -1`, made deterministic: the reader is gone before
    # the command writes anything.
    proc = subprocess.Popen([sys.executable, "-m", "mypref_harness", "spec", "list"],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    assert proc.stdout is not None and proc.stderr is not None
    proc.stdout.close()
    stderr = proc.stderr.read().decode()
    assert proc.wait(timeout=60) == 0
    assert "Traceback" not in stderr


def test_help_lists_every_command(capsys):
    with pytest.raises(SystemExit) as stopped:
        main(["--help"])
    assert stopped.value.code == 0
    out = capsys.readouterr().out
    listed = set(re.findall(r"^    ([a-z-]+)", out, flags=re.MULTILINE))
    assert set(EVERY_COMMAND) <= listed


def test_a_command_whose_module_is_missing_is_an_error_not_a_silently_absent_command(monkeypatch):
    monkeypatch.setitem(cli.COMMANDS, "ghost", "ghost_command_that_does_not_exist")
    with pytest.raises(ModuleNotFoundError, match="ghost_command_that_does_not_exist"):
        main(["--help"])
