#!/usr/bin/env python3
"""The Windows oracle: what a real Windows-targeting preprocessor says about
CPython's headers, as ../shared/cpython/*/expected/ says it for Linux.

    tests/oracle/windows/make-oracle.py CPYTHON_TREE OUTPUT_DIR

For every Limited API version 3.2 ... the tree's own (`Py_LIMITED_API` = `3`
for 3.2, else 0x030N0000), MinGW-w64's gcc (Debian's gcc-mingw-w64-x86-64,
`x86_64-w64-mingw32-gcc`; another with $CC) preprocesses Include/Python.h
with the tree's Windows configuration header as `pyconfig.h`: PC/pyconfig.h,
or PC/pyconfig.h.in (CPython 3.13, whose Windows build copies it to
pyconfig.h unchanged for a GIL build). The include path is that file's
directory and Include/ only, never the tree's root (whose pyconfig.h is
configure's). Written to OUTPUT_DIR:

- declarations-3.N.txt: the functions and data the headers declare with
  PyAPI_FUNC/PyAPI_DATA. On Windows exports.h defines both unconditionally
  (as `__declspec(dllimport) RTYPE`), so stable_abi.py's trick of
  predefining them does not work; `__declspec(x)` is predefined instead as
  the marker `__declspec_x`, and a declaration is `__declspec_dllimport`
  (function: the name before the first `(`) or `extern
  __declspec_dllimport` (data: the declarator's name) in the text that
  gcc's line markers say comes from Include/ (the system headers declare
  with `__declspec(dllimport)` too).
- macros-3.N.txt: the names `gcc -dM -E` lists that some `#define` of
  Include/** or of the configuration header introduces (as expected/).
- feature-macros-defined.txt: the manifest's feature macros defined at the
  tree's own version.
- README: the compiler and the command, for the record.

Nothing is written unless every version preprocesses cleanly.
"""

import os
import pathlib
import re
import shutil
import subprocess
import sys
import tempfile
import tomllib

CC = os.environ.get("CC", "x86_64-w64-mingw32-gcc")


def python_minor(tree):
    text = (tree / "Include/patchlevel.h").read_text()
    return int(re.search(r"#define\s+PY_MINOR_VERSION\s+(\d+)", text).group(1))


def windows_pyconfig(tree):
    for name in ("PC/pyconfig.h", "PC/pyconfig.h.in"):
        if (tree / name).is_file():
            return tree / name
    sys.exit(f"{tree} has neither PC/pyconfig.h nor PC/pyconfig.h.in")


def defined_names(paths):
    names = set()
    for path in paths:
        text = path.read_text(errors="replace")
        names.update(re.findall(r"^\s*#\s*define\s+(\w+)", text, re.M))
    return names


def run(args, cwd):
    result = subprocess.run(args, cwd=cwd, capture_output=True, text=True)
    if result.returncode != 0:
        sys.exit(f"{' '.join(args)} failed:\n{result.stderr}")
    return result.stdout


def own_text(text, tree):
    """The parts of gcc's output that come from the tree's own headers (by
    gcc's line markers): the system headers declare with `__declspec` too."""
    own = []
    keep = False
    for line in text.splitlines():
        marker = re.match(r'# \d+ "(.*)"', line)
        if marker:
            path = pathlib.Path(marker.group(1))
            keep = path.is_absolute() and path.is_relative_to(tree / "Include") or (
                not path.is_absolute() and path.parts[:1] == ("Include",)
            )
            continue
        if keep:
            own.append(line)
    return "\n".join(own)


def declarations(text):
    names = set()
    # Functions: `__declspec_dllimport RTYPE name(`, not after `extern`.
    for match in re.finditer(r"(extern\s+)?__declspec_dllimport\b([^;{]*?)\(", text):
        if match.group(1):
            continue
        idents = re.findall(r"[A-Za-z_]\w*", match.group(2))
        if idents:
            names.add(idents[-1])
    # Data: `extern __declspec_dllimport TYPE name;`, `TYPE name[N];`,
    # `TYPE (*name)(...);`.
    for match in re.finditer(r"extern\s+__declspec_dllimport\b([^;]*);", text):
        declarator = match.group(1)
        pointer = re.search(r"\(\s*\*\s*([A-Za-z_]\w*)\s*\)", declarator)
        if pointer:
            names.add(pointer.group(1))
            continue
        declarator = re.sub(r"\[[^\]]*\]", "", declarator)
        idents = re.findall(r"[A-Za-z_]\w*", declarator)
        if idents:
            names.add(idents[-1])
    return names


def main():
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    tree = pathlib.Path(sys.argv[1]).resolve()
    out = pathlib.Path(sys.argv[2])
    pyconfig = windows_pyconfig(tree)
    known = defined_names(list((tree / "Include").rglob("*.h")) + [pyconfig])
    manifest = tomllib.loads((tree / "Misc/stable_abi.toml").read_text())
    feature_macros = sorted(manifest.get("feature_macro", {}))
    results = {}
    with tempfile.TemporaryDirectory() as config_dir:
        shutil.copyfile(pyconfig, os.path.join(config_dir, "pyconfig.h"))
        base = [CC, "-I" + config_dir, "-I" + str(tree / "Include")]
        for minor in range(2, python_minor(tree) + 1):
            value = "3" if minor == 2 else f"0x03{minor:02X}0000"
            limited = f"-DPy_LIMITED_API={value}"
            text = run(
                base
                + [
                    "-D__declspec(x)=__declspec_##x",
                    "-D_Py_NO_RETURN=",
                    limited,
                    "-E",
                    "Include/Python.h",
                ],
                tree,
            )
            macros = run(base + [limited, "-dM", "-E", "Include/Python.h"], tree)
            defined = set(re.findall(r"^#define (\w+)", macros, re.M))
            results[minor] = (declarations(own_text(text, tree)), defined & known, defined)
    version = run([CC, "-dumpfullversion"], tree).strip()
    target = run([CC, "-dumpmachine"], tree).strip()
    out.mkdir(parents=True, exist_ok=True)
    for minor, (declared, macros, _) in results.items():
        for kind, names in (("declarations", declared), ("macros", macros)):
            (out / f"{kind}-3.{minor}.txt").write_text(
                "".join(f"{name}\n" for name in sorted(names))
            )
    newest = results[max(results)][2]
    (out / "feature-macros-defined.txt").write_text(
        "".join(f"{name}\n" for name in feature_macros if name in newest)
    )
    (out / "README").write_text(
        f"Made by tests/oracle/windows/make-oracle.py from CPython "
        f"{tree.name}'s headers\nwith {pyconfig.relative_to(tree)} as pyconfig.h, "
        f"by {CC} {version} ({target}):\n"
        f"  {CC} -I<dir of pyconfig.h> -IInclude -DPy_LIMITED_API=V -E Include/Python.h\n"
        f"  (declarations: also -D'__declspec(x)=__declspec_##x' -D_Py_NO_RETURN=;\n"
        f"  macros: -dM)\n"
    )


if __name__ == "__main__":
    main()
