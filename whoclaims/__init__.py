"""whoclaims: who claims what about which question, in podcast and interview transcripts."""

__version__ = "0.1.0"
# Bumped whenever a change alters any output row; part of the skip key of a batch.
PIPELINE_VERSION = "0.7.8"
