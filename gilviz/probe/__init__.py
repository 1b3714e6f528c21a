"""The probe: what the kernel says each lab thread is doing (no textual).

``threadstats`` reads per-thread CPU and run-queue time (/proc, or psutil where /proc is
missing), ``classify`` turns one interval of it plus the worker's declared phase into
state times, and ``sampler`` is the thread that does this 100 times a second (10 while
nothing changes).
"""
