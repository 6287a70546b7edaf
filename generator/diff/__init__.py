"""`python -m generator diff OLD NEW`: what a change between two versions of a spec breaks.

Two layers, as oasdiff keeps them (house style, "Rules are data"):

- `compare.py` (and `python_api.py` for the generated package) computes *changes*: neutral records of what differs
  between the two documents, aligned by operation and located by JSON pointer on each side;
- `rules/` judges them: one module per family, each exporting `Rule` records (stable id, level, direction, area,
  description) whose pure `check(change)` yields `Finding`s. `engine.py` runs every registered rule, applies a
  severity file, places findings on lines and sorts them; `report.py` renders text, JSON or Markdown.
"""
