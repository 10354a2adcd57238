"""The benchmark harness behind ``benchmarks/run.py``: case plan, workers, timing, reports.

Nothing here imports an array library at module level: the orchestrating process only
plans cases and reads results, and each worker process imports the one library it measures.
"""
