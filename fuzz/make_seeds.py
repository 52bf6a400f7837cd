#!/usr/bin/env python3
"""Writes the fuzz targets' seed inputs (fuzz/seeds/TARGET/) for the nesting
and size cases: deeply nested containers, TOML values, #if blocks and
parentheses; sizes declared far beyond the bytes present (wheel bombs,
section and symbol counts); odd zip members (LZMA, bzip2, encrypted, names
that are not UTF-8 or hold control characters). Each seed is small.

    python3 fuzz/make_seeds.py      # then, from fuzz/:
    cargo fuzz run wheel corpus/wheel seeds/wheel
"""

import io
import os
import struct
import zipfile

HERE = os.path.dirname(os.path.abspath(__file__))


def write(target, name, data):
    directory = os.path.join(HERE, "seeds", target)
    os.makedirs(directory, exist_ok=True)
    if isinstance(data, str):
        data = data.encode()
    with open(os.path.join(directory, name), "wb") as out:
        out.write(data)


# A 64-bit Mach-O with one LC_SYMTAB (its counts given) and nothing else.
def macho(nsyms=0, strsize=0):
    symtab = struct.pack("<IIIIII", 2, 24, 56, nsyms, 56, strsize)
    header = struct.pack("<IiiIIIII", 0xFEEDFACF, 0x01000007, 3, 6, 1, len(symtab), 0, 0)
    return header + symtab


def fat(slices):
    """A universal binary of (cputype, bytes), each slice 16-aligned."""
    out = struct.pack(">II", 0xCAFEBABE, len(slices))
    offset = 8 + 20 * len(slices)
    body = b""
    for cputype, data in slices:
        offset = (offset + 15) & ~15
        body = body.ljust(offset - 8 - 20 * len(slices), b"\0")
        out += struct.pack(">IIIII", cputype, 3, offset, len(data), 4)
        body += data
        offset += len(data)
    return out + body


def archive(members):
    out = b"!<arch>\n"
    for name, data in members:
        out += b"%-16s%-12d%-6d%-6d%-8d%-10d`\n" % (name + b"/", 0, 0, 0, 644, len(data))
        out += data + (b"\n" if len(data) % 2 else b"")
    return out


def elf_header(shoff, shnum, phoff, phnum):
    ident = b"\x7fELF\x02\x01\x01" + b"\0" * 9
    return ident + struct.pack(
        "<HHIQQQIHHHHHH", 3, 62, 1, 0, phoff, shoff, 0, 64, 56, phnum, 64, shnum, 0
    )


def binary_seeds():
    write("binary", "fat-self", struct.pack(">IIIIIII", 0xCAFEBABE, 1, 0x01000007, 3, 0, 28, 0))
    nested = macho()
    for _ in range(64):
        nested = fat([(0x01000007, nested)])
    write("binary", "fat-nested-64", nested)
    nested = macho()
    for _ in range(16):
        nested = archive([(b"m.o", nested)])
    write("binary", "archive-nested-16", nested)
    write("binary", "fat-of-archives", fat([(0x01000007, archive([(b"m.o", macho())]))]))
    write("binary", "fat-slice-past-end", struct.pack(">IIIIIII", 0xCAFEBABE, 1, 0x01000007, 3, 4096, 0xFFFFFFF0, 12))
    write("binary", "macho-huge-symtab", macho(nsyms=0xFFFFFFFF, strsize=0xFFFFFFFF))
    write("binary", "elf-huge-counts", elf_header(shoff=0xFFFFFFFFFFFF0000, shnum=0xFFFF, phoff=64, phnum=0xFFFF))
    write("binary", "elf-extended-counts", elf_header(shoff=64, shnum=0, phoff=64, phnum=0xFFFF) + b"\0" * 64)


def wheel(members, method=zipfile.ZIP_DEFLATED, patch=None):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", method) as zf:
        for name, data in members:
            zf.writestr(name, data)
        zf.writestr("spam-1.0.dist-info/WHEEL", "Wheel-Version: 1.0\nTag: cp38-abi3-any\n")
    data = bytearray(buffer.getvalue())
    if patch:
        patch(data)
    return bytes(data)


def patch_entries(central_offset, local_offset, value, size, count=None):
    """Sets a field of the first `count` entries (central and local)."""

    def patch(data):
        for magic, offset in ((b"PK\x01\x02", central_offset), (b"PK\x03\x04", local_offset)):
            at, done = 0, 0
            while count is None or done < count:
                at = data.find(magic, at)
                if at < 0:
                    break
                data[at + offset : at + offset + size] = value.to_bytes(size, "little")
                at += 4
                done += 1

    return patch


def wheel_seeds():
    write("wheel", "nested-fat-member", wheel([("spam/m.abi3.so", struct.pack(">IIIIIII", 0xCAFEBABE, 1, 0x01000007, 3, 0, 28, 0))]))
    members = [("spam/m%d.abi3.so" % i, b"x") for i in range(8)]
    write("wheel", "bomb-declared", wheel(members, patch=patch_entries(24, 22, 1 << 30, 4, count=8)))
    write("wheel", "size-lies", wheel([("spam/m.abi3.so", b"\0" * 65536)], patch=patch_entries(24, 22, 100, 4, count=1)))
    for name, method in (("lzma", 14), ("bzip2", 12), ("zstd", 93)):
        write("wheel", name, wheel([("spam/m.abi3.so", macho())], zipfile.ZIP_STORED, patch_entries(10, 8, method, 2)))
    write("wheel", "encrypted", wheel([("spam/m.abi3.so", macho())], zipfile.ZIP_STORED, patch_entries(8, 6, 1, 2)))

    def bad_byte(data):
        at = data.find(b"bad?")
        while at >= 0:
            data[at + 3] = 0xFF
            at = data.find(b"bad?", at + 1)

    write("wheel", "name-not-utf8", wheel([("bad?.abi3.so", macho())], patch=bad_byte))
    write("wheel", "name-control", wheel([("x/m.abi3.so: ok\n\x1b[2K\rx/m.abi3.so", macho(nsyms=1))]))
    write("wheel", "macho-member", wheel([("spam/m.abi3.so", fat([(0x01000007, macho()), (0x0100000C, macho())]))]))
    write("wheel", "elf-member", wheel([("spam/m.abi3.so", elf_header(shoff=0xFFFFFFFFFFFF0000, shnum=0xFFFF, phoff=64, phnum=1) + b"\0" * 56)]))


def text_seeds():
    write("manifest", "nested-arrays", "x = " + "[" * 100000)
    write("manifest", "nested-inline-tables", "x = " + "{a=" * 30000)
    write("manifest", "long-string", "[function.PyFoo]\nadded = '3." + "9" * 60000 + "'\n")
    write("view", "nested-if", "#if 1\n" * 5000 + "int x;\n" + "#endif\n" * 5000)
    write("view", "nested-parens", "#if " + "(" * 20000 + "1" + ")" * 20000 + "\n#endif\n")
    chain = "".join("#define M%d (M%d + M%d)\n" % (i + 1, i, i) for i in range(64))
    write("view", "macro-chain", "#define M0 1\n" + chain + "#if M64\n#endif\n")
    write("baseline", "long-line", "too-early " + "P" * 60000 + " 3.2\n")
    write("baseline", "many-lines", "".join("too-early Py%d 3.2-3.12\n" % i for i in range(3000)))


if __name__ == "__main__":
    binary_seeds()
    wheel_seeds()
    text_seeds()
