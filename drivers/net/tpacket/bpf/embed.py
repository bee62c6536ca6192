#!/usr/bin/env python3
"""Embed a compiled BPF object in C: embed.py IN.o OUT.c SYMBOL"""
import sys

data = open(sys.argv[1], "rb").read()
sym = sys.argv[3]
with open(sys.argv[2], "w") as f:
    f.write("/* Generated from %s: do not edit. */\n#include <stddef.h>\n" % sys.argv[1].split("/")[-1])
    f.write("const unsigned char %s[] __attribute__((aligned(8))) = {\n" % sym)
    for i in range(0, len(data), 12):
        f.write("\t" + ", ".join("0x%02x" % b for b in data[i:i + 12]) + ",\n")
    f.write("};\nconst size_t %s_len = %d;\n" % (sym, len(data)))
