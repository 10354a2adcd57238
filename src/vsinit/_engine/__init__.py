"""The engine: from an initializer's settings and one call to filled arrays.

The public class (:mod:`~vsinit._engine.initializer`) with its validated settings
(:mod:`~vsinit._engine.settings`), configurations (:mod:`~vsinit._engine.config`) and presets
(:mod:`~vsinit._engine.presets`); one call becomes a request (:mod:`~vsinit._engine.calls`,
:mod:`~vsinit._engine.request`) that :mod:`~vsinit._engine.fill` writes tile by tile, on
threads, through the adapter or the opt-in compiled tier (:mod:`~vsinit._engine.compiled`).

May import: the random sources (:mod:`vsinit.rng`) and the math layer (:mod:`vsinit._math`);
never the profiles or the tools.
"""
