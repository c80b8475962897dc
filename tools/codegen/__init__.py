"""The code generator behind ``tools/generate.py``, one job per module.

``paths``: where it reads and writes. ``layout``: which service goes where. ``overrides``: what
the API does where the spec is silent. ``model``/``spec``: the spec walked into operations and
services. ``naming``/``text``: names and docstring text. ``typemap``: spec schemas to Python
types and checks. ``records``/``services``/``client``/``modules``: emitting the generated
package. ``coverage``: the README table. ``output``: writing, formatting and ``--check``.
"""
