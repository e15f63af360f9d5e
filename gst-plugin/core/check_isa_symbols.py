#!/usr/bin/env python3
"""Fails when an ISA kernel library defines a weak symbol.

Usage: check_isa_symbols.py NM LIBRARY

An inline function or template instance compiled with -mavx2 is emitted as a
weak symbol, and the linker keeps one copy of it for the whole program - maybe
this one, which a CPU without AVX2 cannot run (src/kernels.h).
"""
import subprocess
import sys


def main() -> int:
    nm, lib = sys.argv[1], sys.argv[2]
    out = subprocess.run([nm, "--defined-only", "-C", lib], check=True, capture_output=True, text=True).stdout
    # DW.ref.__gxx_personality_v0 is data (the C++ unwinder's address), not code.
    weak = [
        line
        for line in out.splitlines()
        if len(line.split()) >= 3 and line.split()[1] in ("W", "V", "u") and not line.split()[2].startswith("DW.ref.")
    ]
    for line in weak:
        print(f"{lib}: weak symbol compiled with ISA flags: {line}", file=sys.stderr)
    defined = [line for line in out.splitlines() if len(line.split()) >= 3 and line.split()[1] == "T"]
    if not defined:
        print(f"{lib}: no kernels found (nm output empty?)", file=sys.stderr)
        return 1
    if not weak:
        print(f"{lib}: {len(defined)} kernel symbols, no weak ones")
    return 1 if weak else 0


if __name__ == "__main__":
    sys.exit(main())
