"""Benchmarks that print figures (`make bench`, or `python -m bench [roundtrips|latency|imports|codes]`).

Not tests: pytest only collects tests/. Results of a run are written to docs/performance.md by hand.
"""
