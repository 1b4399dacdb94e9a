"""Experiment worker processes exit with their driver, even when it is killed with -9."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest


@pytest.mark.slow
def test_workers_die_with_the_driver(tmp_path: Path) -> None:
    script = tmp_path / "driver.py"
    script.write_text(
        "import multiprocessing, os, sys, time\n"
        "from concurrent.futures import ProcessPoolExecutor\n"
        "from cenas.sim._experiment import _die_with_parent\n"
        "if __name__ == '__main__':\n"
        "    ctx = multiprocessing.get_context('spawn')\n"
        "    pool = ProcessPoolExecutor(1, mp_context=ctx, initializer=_die_with_parent,\n"
        "                               initargs=(os.getpid(),))\n"
        "    print(pool.submit(os.getpid).result(), flush=True)\n"
        "    time.sleep(60)\n"
    )
    driver = subprocess.Popen([sys.executable, str(script)], stdout=subprocess.PIPE, text=True)
    assert driver.stdout is not None
    worker = int(driver.stdout.readline())
    driver.kill()  # SIGKILL: no clean-up runs in the driver
    driver.wait()
    deadline = time.monotonic() + 10
    alive = True
    while alive and time.monotonic() < deadline:
        try:
            os.kill(worker, 0)
            time.sleep(0.2)
        except ProcessLookupError:
            alive = False
        else:
            # a zombie counts as gone: its parent (init) reaps it eventually
            with open(f"/proc/{worker}/stat") as f:
                alive = f.read().split()[2] != "Z"
    assert not alive
