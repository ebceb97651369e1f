"""The fault tests of the three-node cluster (docs/high-availability.md).

One cluster (deploy/cluster.py) is started for the whole module, on ports of
its own (EPART_HA_PORT_BASE, default 24000), under a temporary directory; each
test breaks it under continuous submissions, measures, and heals it before the
next one."""
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.abspath(os.path.join(HERE, "..", ".."))
sys.path.insert(0, os.path.join(ROOT, "tests", "integration"))
sys.path.insert(0, os.path.join(ROOT, "deploy"))
sys.path.insert(0, HERE)

import pytest  # noqa: E402

import halib  # noqa: E402


@pytest.fixture(scope="module")
def cluster():
    c = halib.start_cluster()
    try:
        yield c
    finally:
        halib.stop_cluster(c)
