"""``python -m gilviz``: the same as the ``gilviz`` command."""

from gilviz.cli import main

if __name__ == "__main__":
    raise SystemExit(main())
