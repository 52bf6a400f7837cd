#!/usr/bin/env python3
"""Download the real-wheel corpus of tests/corpus/wheels.toml, pinned by sha256.

Wheels go to ${STABLE_ABI_WHEELS:-~/.cache/stable-abi/wheels}, the data files
([[data]] entries, e.g. abi3info) to ${STABLE_ABI_DATA:-~/.cache/stable-abi/data}.
A file already there with the pinned sha256 is kept, so a rerun downloads
nothing. Others are fetched with `pip download` from the index pip is set up
with: the exact file, chosen by the tags of its name (`--python-version`,
`--implementation`, `--abi`, `--platform`), checked by pip against the pinned
sha256 (`--require-hashes`) into a temporary directory beside the cache, and
only then moved into place: an interrupted or corrupt download never looks
like a cached wheel.

Usage: tests/corpus/fetch.py [LIST]   (make fetch-wheels)
Exit status: 0 every file is cached and matches, 1 a download failed or
did not match its sha256.
"""

import hashlib
import os
import shutil
import subprocess
import sys
import tempfile
import tomllib
from pathlib import Path

HERE = Path(__file__).resolve().parent


def cache_dir(variable: str, default: str) -> Path:
    path = os.environ.get(variable) or os.path.join(
        os.path.expanduser("~"), ".cache", "stable-abi", default
    )
    return Path(path)


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as file:
        for block in iter(lambda: file.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def pip_tags(file: str) -> list[str]:
    """`pip download` options that select the wheel `file` by its tags
    (`{dist}-{version}(-{build})?-{python}-{abi}-{platform}.whl`)."""
    python, abi, platform = file[: -len(".whl")].split("-")[-3:]
    options = ["--only-binary=:all:"]
    versions = [tag[2:] for tag in python.split(".") if tag.startswith("cp")]
    if versions:
        oldest = min(versions, key=int)
        options += ["--implementation", "cp", "--python-version", f"{oldest[0]}.{oldest[1:]}"]
    for tag in abi.split("."):
        options += ["--abi", tag]
    for tag in platform.split("."):
        options += ["--platform", tag]
    return options


def fetch(entry: dict, directory: Path) -> bool:
    target = directory / entry["file"]
    if target.is_file() and sha256_of(target) == entry["sha256"]:
        return True
    directory.mkdir(parents=True, exist_ok=True)
    print(f"downloading {entry['file']} ({entry['size'] / 1e6:.1f} MB)", flush=True)
    with tempfile.TemporaryDirectory(prefix=".fetch-", dir=directory) as temporary:
        requirement = Path(temporary) / "requirement.txt"
        requirement.write_text(
            f"{entry['project']}=={entry['version']} --hash=sha256:{entry['sha256']}\n"
        )
        command = [sys.executable, "-m", "pip", "download", "--quiet", "--no-deps",
                   "--require-hashes", "--dest", temporary, "-r", str(requirement)]
        result = subprocess.run(command + pip_tags(entry["file"]))
        got = Path(temporary) / entry["file"]
        if result.returncode != 0 or not got.is_file():
            print(f"error: {entry['file']}: pip download failed", file=sys.stderr)
            return False
        if sha256_of(got) != entry["sha256"]:
            print(f"error: {entry['file']}: not the pinned sha256", file=sys.stderr)
            return False
        shutil.move(got, target)
    return True


def main() -> int:
    listing = Path(sys.argv[1]) if len(sys.argv) > 1 else HERE / "wheels.toml"
    with open(listing, "rb") as file:
        corpus = tomllib.load(file)
    wheels = cache_dir("STABLE_ABI_WHEELS", "wheels")
    data = cache_dir("STABLE_ABI_DATA", "data")
    ok = all([fetch(entry, wheels) for entry in corpus.get("wheel", [])])
    ok = all([fetch(entry, data) for entry in corpus.get("data", [])]) and ok
    count = len(corpus.get("wheel", []))
    print(f"{count} wheels in {wheels}; {len(corpus.get('data', []))} data files in {data}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
