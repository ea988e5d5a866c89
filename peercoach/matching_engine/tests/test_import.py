from __future__ import annotations

import subprocess
import sys


def test_importing_the_engine_does_not_import_django():
    code = (
        "import sys, peercoach.cli, peercoach.matching_engine, peercoach.matching_engine.cli;"
        "import peercoach.sample_org;"
        "loaded = [name for name in sys.modules if name == 'django' or name.startswith('django.')];"
        "print(loaded); sys.exit(1 if loaded else 0)"
    )
    finished = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=False
    )
    assert finished.returncode == 0, finished.stdout + finished.stderr
