"""Put on PYTHONPATH of a served deployment in tests: every process of it (the runner's flow-run
subprocesses too) uses the model-free extraction stage of `tests.fakes`."""

from whoclaims import pipeline
from tests.fakes import fake_extract_tables

pipeline.extract_tables = fake_extract_tables
