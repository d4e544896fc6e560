"""In-process benchmark operations (run inside a Django-configured process by bench/run.py).

Each module here defines ``measure(ctx: Context) -> list[dict]``; every dict is a row built
by :func:`bench.ops.common.row`. See bench/ops/common.py for the contract.
"""
