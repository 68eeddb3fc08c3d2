from mypref_harness.cli import main


def test_no_command_prints_help_and_exits_with_usage(capsys):
    assert main([]) == 2
    assert "usage" in capsys.readouterr().out.lower()


def test_a_closed_pipe_is_not_a_traceback():
    import subprocess
    import sys

    # Like `mypref-harness spec list | head -1`, made deterministic: the reader is gone before
    # the command writes anything.
    proc = subprocess.Popen([sys.executable, "-m", "mypref_harness", "spec", "list"],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    assert proc.stdout is not None and proc.stderr is not None
    proc.stdout.close()
    stderr = proc.stderr.read().decode()
    assert proc.wait(timeout=60) == 0
    assert "Traceback" not in stderr
