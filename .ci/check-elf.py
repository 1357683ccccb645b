"""Check that a Lambda bootstrap is a static, stripped Linux ELF for one machine.

Usage: python3 check-elf.py bootstrap aarch64|x86_64

provided.al2023 runs the file as it is: a dynamically linked binary (a
PT_INTERP program header) depends on the host's libc at build time, and a
.symtab section means symbols that `-ldflags='-s -w'` should have removed.
Reads the ELF headers itself (64-bit little-endian only), so it needs no
binutils.
"""

import struct
import sys

MACHINES = {"aarch64": 183, "x86_64": 62}  # e_machine: EM_AARCH64, EM_X86_64
PT_INTERP = 3


def check(path, want_machine):
    with open(path, "rb") as f:
        data = f.read()
    if data[:4] != b"\x7fELF":
        return [f"{path}: not an ELF file"]
    if data[4] != 2 or data[5] != 1:
        return [f"{path}: not a 64-bit little-endian ELF"]
    problems = []
    (e_type, e_machine, _, _, e_phoff, e_shoff, _, _, e_phentsize, e_phnum,
     e_shentsize, e_shnum, e_shstrndx) = struct.unpack_from("<HHIQQQIHHHHHH", data, 16)
    if data[7] not in (0, 3):  # EI_OSABI: SYSV or Linux
        problems.append(f"{path}: OS ABI {data[7]}, want Linux/SYSV")
    if e_type != 2:  # ET_EXEC; a static-pie would be ET_DYN
        problems.append(f"{path}: ELF type {e_type}, want 2 (an executable)")
    if e_machine != MACHINES[want_machine]:
        problems.append(f"{path}: machine {e_machine}, want {MACHINES[want_machine]} ({want_machine})")
    for i in range(e_phnum):
        (p_type,) = struct.unpack_from("<I", data, e_phoff + i * e_phentsize)
        if p_type == PT_INTERP:
            problems.append(f"{path}: has PT_INTERP: dynamically linked, want static (CGO_ENABLED=0)")
    sections = []
    for i in range(e_shnum):
        off = e_shoff + i * e_shentsize
        sh_name, _, _, _, sh_offset = struct.unpack_from("<IIQQQ", data, off)
        sections.append((sh_name, sh_offset))
    if e_shnum:
        strtab = sections[e_shstrndx][1]
        names = {data[strtab + n:data.index(b"\0", strtab + n)].decode() for n, _ in sections}
        for name in (".symtab", ".debug_info", ".zdebug_info"):
            if name in names:
                problems.append(f"{path}: has {name}: not stripped, want -ldflags='-s -w'")
    return problems


def main(path, machine):
    if machine not in MACHINES:
        sys.exit(f"machine {machine!r}: want one of {sorted(MACHINES)}")
    problems = check(path, machine)
    for p in problems:
        print(p, file=sys.stderr)
    if problems:
        sys.exit(1)
    print(f"{path}: static, stripped {machine} ELF executable")


if __name__ == "__main__":
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    main(*sys.argv[1:])
