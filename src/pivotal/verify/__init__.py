"""Checks of the model against outside tools.

:mod:`pivotal.verify.efg` writes one period's stage game as a Gambit ``.efg``
file (pure Python, no extra needed); :mod:`pivotal.verify.gambit` solves that
file with pygambit's logit QRE solver and compares the answer with
:func:`pivotal.model.solve_stage`.  The second needs ``pip install "pivotal[verify]"``.
"""

from pivotal.verify.efg import PLAYERS, stage_efg, write_efg

__all__ = ["PLAYERS", "stage_efg", "write_efg"]
