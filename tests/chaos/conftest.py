"""The chaos suite reuses the integration harness (tests/integration/epart.py):
each test starts, breaks and stops its own Stack, so there is no shared fixture
here, only the import path."""
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "integration"))
sys.path.insert(0, HERE)
