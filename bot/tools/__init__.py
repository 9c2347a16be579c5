"""The make targets: run, train, benchmarks, the conversation tests (``python -m bot …``)."""
