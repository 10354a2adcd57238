"""The math layer: pure functions and constants, written once against the array API.

Fans (:mod:`~vsinit._math.fans`), scale and mode to variance (:mod:`~vsinit._math.variance`),
the truncated normal's constants (:mod:`~vsinit._math.quantile`), random words to each
distribution (:mod:`~vsinit._math.distributions`), the array arithmetic they share
(:mod:`~vsinit._math.ops`), dtype facts (:mod:`~vsinit._math.dtypes`), where each element of a
partition lies (:mod:`~vsinit._math.layout`, :mod:`~vsinit._math.shards`) and the argument
checks (:mod:`~vsinit._math.checks`). No state, no backend import.

May import: the standard library, numpy and its own modules; nothing else from vsinit.
"""
