"""`whoclaims` with the fake extraction stage, for subprocess tests (kill and lock)."""

from whoclaims import pipeline
from tests.fakes import fake_extract_tables

pipeline.extract_tables = fake_extract_tables

if __name__ == "__main__":
    from whoclaims.cli import main

    main()
