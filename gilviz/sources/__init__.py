"""Sources: what feeds the dashboard (no textual).

A lab scenario run (``lab``), a watched program (``watch``) and a replayed trace
(``replay``) each turn their input into the same plain events (``events``), which the
UI's state applies the same way whatever their source.
"""
