"""`yingji simulate` as a user runs it: a fresh process with no Django set up (it once failed on import)."""

import os
import subprocess
import sys


def test_simulate_publishes_from_a_fresh_process(tmp_path):
    env = {k: v for k, v in os.environ.items() if k != "DJANGO_SETTINGS_MODULE"}
    env["YINGJI_VAR_DIR"] = str(tmp_path)
    code = "import sys; from yingji.cli import main; sys.exit(main(sys.argv[1:]))"
    run = subprocess.run([sys.executable, "-c", code, "simulate", "rain", "--sensors", "SIM-CLI-1", "--hours", "0.5",
                          "--intensity", "10"], env=env, capture_output=True, text=True, timeout=120)
    assert run.returncode == 0, run.stderr[-2000:]
    assert "readings for 1 sensors published" in run.stdout
