"""gilviz: see how Python runs concurrent code.

This file stays free of imports: the lab (``gilviz.lab``) imports the package too,
under any CPython >= 3.9, with the standard library alone.
"""

__version__ = "0.1.0"
