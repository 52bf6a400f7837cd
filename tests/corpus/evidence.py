#!/usr/bin/env python3
"""Check the corpus's expected verdicts by hand, independently of stable-abi.

For each wheel of tests/corpus/wheels.toml in the cache, this unpacks its
binaries with zipfile and reads them with LLVM's tools (llvm-nm for ELF and
Mach-O symbols, llvm-objdump -p for a PE's imports and exports), judges each
imported Py*/_Py* symbol against abi3info 2026.9.25 (CPython main's manifest,
with each item's `added`) and the claims against the file-name and DLL rules
as CPython 3.15 ships them, and prints one line per wheel: the verdict and
the evidence, the text kept beside each entry of wheels.toml.

Usage: tests/corpus/evidence.py [LIST]   (needs llvm-nm, llvm-objdump, and
`make fetch-wheels` done). It is a cross-check made by hand, not a test.
"""

import os
import re
import subprocess
import sys
import tempfile
import tomllib
import zipfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
CACHE = Path(os.environ.get("STABLE_ABI_WHEELS") or Path.home() / ".cache/stable-abi/wheels")
DATA = Path(os.environ.get("STABLE_ABI_DATA") or Path.home() / ".cache/stable-abi/data")
sys.path.insert(0, str(DATA / "abi3info-2026.9.25-py3-none-any.whl"))
import abi3info  # noqa: E402

STABLE = {s.name: (f.added.major, f.added.minor) for s, f in abi3info.FUNCTIONS.items()}
STABLE.update({s.name: (d.added.major, d.added.minor) for s, d in abi3info.DATAS.items()})
HOOK = re.compile(r"^_?(PyInit|PyInitU|PyModExport|PyModExportU)_\w+$")
PYTHON = re.compile(r"^_?Py[A-Z_]")


def run(*args):
    return subprocess.run(args, capture_output=True, text=True).stdout


def symbols(path, data):
    """(imports, exports, needed) of one binary."""
    kind = data[:4]
    if kind[:2] == b"MZ":
        dump = run("llvm-objdump", "-p", path)
        needed = re.findall(r"DLL Name: (\S+)", dump)
        imports = re.findall(r"^\s+\d+\s+(\w+)$", dump.split("Export Table")[0], re.M)
        exports = re.findall(r"^\s+\d+\s+0x[0-9a-f]+\s+(\w+)", dump.split("Export Table")[-1], re.M)
        return set(imports), set(exports), needed
    undefined = run("llvm-nm", "-D" if kind == b"\x7fELF" else "-g", "--undefined-only", "--just-symbol-name", path)
    defined = run("llvm-nm", "-D" if kind == b"\x7fELF" else "-g", "--defined-only", "--just-symbol-name", path)
    strip = (lambda s: s[1:] if s.startswith("_") else s) if kind != b"\x7fELF" else (lambda s: s)
    imports = {strip(s.split("@")[0]) for s in undefined.split()}
    exports = {strip(s) for s in defined.split()}
    needed = re.findall(r"\[(lib[^\]]+)\]", run("llvm-readelf", "-d", path)) if kind == b"\x7fELF" else []
    return imports, exports, needed


def judge(entry):
    file = entry["file"]
    python, abi, platform = file[:-4].split("-")[-3:]
    target = min(int(t[3:]) for t in python.split(".") if t.startswith("cp3"))
    abis = abi.split(".")
    problems, notes = [], []
    modules = 0
    with zipfile.ZipFile(CACHE / file) as wheel, tempfile.TemporaryDirectory() as tmp:
        for name in wheel.namelist():
            # Modules, and the libraries beside them: `.dylib`, `.dll`, `.so.N`.
            if not re.search(r"\.(so|pyd|dylib|dll)$|\.so(\.\d+)+$", name, re.I):
                continue
            data = wheel.read(name)
            path = Path(tmp) / "bin"
            path.write_bytes(data)
            imports, exports, needed = symbols(str(path), data)
            base = name.rsplit("/", 1)[-1]
            hooks = sorted(s for s in exports if HOOK.match(s))
            is_module = bool(hooks) or base.endswith(".pyd") or re.search(r"\.(abi3t?|cpython-\d+\w*)(-[\w-]+)?\.so$", base) or (base.endswith(".so") and "." not in base[:-3] and not base.startswith("lib"))
            pyimports = sorted(s for s in imports if PYTHON.match(s) and not HOOK.match(s))
            if not is_module and not pyimports:
                continue
            modules += 1
            for symbol in pyimports:
                added = STABLE.get(symbol)
                if added is None:
                    problems.append(f"not-stable-abi {symbol} ({name})")
                elif added[1] > max(target, 15 if abis == ["abi3t"] else 0):
                    problems.append(f"version-mismatch {symbol} needs 3.{added[1]} ({name})")
            if not is_module:
                notes.append(f"{name}: a library importing {len(pyimports)} Python symbols")
                continue
            if "abi3t" in abis and target < 15:
                problems.append("abi3t-too-early")
            if "abi3" in abis and target < 15 and (re.search(r"\.abi3t", base) or re.search(r"\.abi3-", base)):
                problems.append(f"wrong-file-name abi3 ({name})")
            if "abi3t" in abis and re.search(r"\.abi3(-[\w-]+)?\.so$", base):
                problems.append(f"wrong-file-name abi3t ({name})")
            # One version's name (SOABI, PYD_SOABI), with no file of the same
            # module beside it for the others; Windows imports .pyd only.
            if re.search(r"\.(cpython-|cp)3\d+[a-z]*(-[\w-]+)?\.(so|pyd)$", base):
                stem = name.split(".")[0]
                siblings = [n for n in wheel.namelist() if n != name and n.split(".")[0] == stem]
                if not siblings:
                    problems.append(f"wrong-file-name one version ({name})")
            if platform.startswith("win") and not base.lower().endswith(".pyd"):
                problems.append(f"wrong-file-name windows ({name})")
            for dll in needed:
                low = dll.lower()
                if low == "python3t.dll" and "abi3" in abis and target < 15:
                    problems.append(f"wrong-python-dll abi3 {dll}")
                if low == "python3.dll" and "abi3t" in abis:
                    problems.append(f"wrong-python-dll abi3t {dll}")
                if re.match(r"(lib)?python3\.?\d+", low):
                    problems.append(f"version-specific-libpython {dll}")
            python_dlls = sorted(d for d in needed if d.lower().startswith("python3"))
            notes.append(f"{name}: {len(pyimports)} Python imports, hooks {','.join(h.split('_')[0] for h in hooks) or '-'}{', links ' + ','.join(python_dlls) if python_dlls else ''}")
    problems = sorted(set(p.split(" (")[0] if p.startswith("abi3t-too-early") else p for p in problems))
    return modules, problems, notes


def main():
    listing = Path(sys.argv[1]) if len(sys.argv) > 1 else HERE / "wheels.toml"
    corpus = tomllib.load(open(listing, "rb"))
    for entry in corpus["wheel"]:
        modules, problems, notes = judge(entry)
        verdict = "fail" if problems else "clean"
        print(f"{entry['file']}\t{verdict}\t{modules}\t{' | '.join(problems)}\t{' ; '.join(notes)}")


if __name__ == "__main__":
    main()
