"""Sweeps: a case's uncertainty drawn many times and every draw solved (``allocator sweep``)."""
