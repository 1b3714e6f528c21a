"""The dashboard: the only part of gilviz that imports textual.

Widgets only draw what the engine's snapshots say; none reads /proc or talks to the lab.
"""
