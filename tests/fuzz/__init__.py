"""The mutation fuzzer of the command line (issue 18): ``python -m tests.fuzz --help``."""
