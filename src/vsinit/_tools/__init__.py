"""The user tools: the command line, its reports, the pictures and the demo.

:mod:`~vsinit._tools.cli` parses and dispatches to :mod:`~vsinit._tools.commands`; the reports
are :mod:`~vsinit._tools.describe`, :mod:`~vsinit._tools.equivalents` and
:mod:`~vsinit._tools.geometry`; the pictures :mod:`~vsinit._tools.plot` and
:mod:`~vsinit._tools.benchmark_chart`; the README's first command is
:mod:`~vsinit._tools.demo`. The top of the layers: nothing in vsinit imports the tools.

May import: every layer below (profiles, engine, random sources, math) and the public
:mod:`vsinit`; matplotlib and the array libraries only inside the functions that need them.
"""
