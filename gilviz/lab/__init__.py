"""The lab: the process that runs the demo workloads (standard library only).

Everything under ``gilviz.lab`` imports nothing from outside the standard library and
runs under any CPython >= 3.9, so ``--python PATH`` can compare interpreters. The UI
side talks to it over stdin/stdout (``protocol``) and reads its shared ``board``.
"""
