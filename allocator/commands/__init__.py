"""The command-line commands beyond ``validate``, ``solve`` and ``generate``: one module each."""
