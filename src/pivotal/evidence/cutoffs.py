"""How many passages a search keeps, and how well one must score to bear on a parameter.

A module of its own so that the command line can show them as defaults without loading the store.
"""

#: Passages kept per parameter.
DEFAULT_K = 5
# A passage "bears on" a parameter if it scores at least this.  In BM25 units: a word
# found in one passage in a hundred, once in a passage of average length, adds its IDF,
# ln(1 + 99.5 / 1.5) = 4.2; so 6 asks for more than one uncommon word shared with the
# parameter's description and notes.  A convention, not a calibrated cut-off: --min-score.
MIN_SCORE = 6.0
