#!/usr/bin/env python3
"""Packaging steps of `make dist` that no ecosystem tool does for us (standard library only).

    package.py version                      the workspace version (Cargo.toml)
    package.py npm --addon PLATFORM=FILE... stage and `npm pack` the main and platform packages
    package.py goproxy --lib FILE           write the Go module proxy tree for bindings-go
    package.py report                       print the artifacts' sizes; fail when over budget

Everything is written under dist/ (the artifacts) and target/dist-stage/ (scratch).
"""

from __future__ import annotations

import argparse
import datetime
import io
import json
import os
import shutil
import subprocess
import sys
import tomllib
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
DIST = ROOT / "dist"
STAGE = ROOT / "target" / "dist-stage"

# What a user downloads, at most (bytes): the wheel, the npm platform package, the Go module zip.
BUDGETS = {
    "python wheel": ("python", "*.whl", 3_000_000),
    "python sdist": ("python", "*.tar.gz", None),
    "npm main package": ("npm", "palisade-webhooks-[0-9]*.tgz", None),
    "npm platform package": ("npm", "palisade-webhooks-linux-*.tgz", 3_000_000),
    "Go module zip": ("goproxy", "**/*.zip", 25_000_000),
}

# Rust target triple -> napi-rs platform name (the suffix of the platform package's name).
NAPI_PLATFORMS = {
    "x86_64-unknown-linux-gnu": "linux-x64-gnu",
    "aarch64-unknown-linux-gnu": "linux-arm64-gnu",
    "x86_64-unknown-linux-musl": "linux-x64-musl",
    "aarch64-apple-darwin": "darwin-arm64",
    "x86_64-apple-darwin": "darwin-x64",
    "x86_64-pc-windows-msvc": "win32-x64-msvc",
}

# The Go module zip: the package sources, the header and the README. The Rust crate that builds
# the library, the C ABI check and the tests that read the repository's shared vectors stay in
# the repository (example tests are kept: they are documentation).
GO_TOP_FILES = {"go.mod", "go.sum", "README.md", "LICENSE"}
# Zip entries get a fixed time, so the same inputs give the same zip (and go.sum hash).
ZIP_TIME = (1980, 1, 1, 0, 0, 0)


def workspace_version() -> str:
    with open(ROOT / "Cargo.toml", "rb") as f:
        return str(tomllib.load(f)["workspace"]["package"]["version"])


def fail(message: str) -> None:
    print(f"package.py: {message}", file=sys.stderr)
    sys.exit(1)


# ---- npm -----------------------------------------------------------------------------------


def npm_pack(directory: Path, out: Path) -> str:
    result = subprocess.run(
        ["npm", "pack", "--json", "--pack-destination", str(out)],
        cwd=directory,
        check=True,
        capture_output=True,
        text=True,
    )
    return str(json.loads(result.stdout)[0]["filename"])


def npm(addons: list[str]) -> None:
    """Stages and packs the main package and one platform package per built addon.

    The main package is the repository's bindings-node with, as napi-rs's `prepublish` does,
    `optionalDependencies` naming the platform packages (npm installs the one matching the
    user's os/cpu/libc). They are added here, not in the repository, so development installs
    (npm ci) never look for platform packages in the registry.
    """
    node_dir = ROOT / "bindings-node"
    manifest = json.loads((node_dir / "package.json").read_text())
    version = manifest["version"]
    if version != workspace_version():
        fail(f"bindings-node/package.json version {version} != workspace {workspace_version()}")
    binary = manifest["napi"]["binaryName"]
    platforms = [NAPI_PLATFORMS[t] for t in manifest["napi"]["targets"]]
    built = dict(a.split("=", 1) for a in addons)
    if sorted(built) != sorted(platforms):
        fail(f"addons given for {sorted(built)}, package.json napi.targets wants {sorted(platforms)}")

    out = DIST / "npm"
    shutil.rmtree(out, ignore_errors=True)
    out.mkdir(parents=True)
    stage = STAGE / "npm"
    shutil.rmtree(stage, ignore_errors=True)

    optional = {}
    for platform in platforms:
        src = node_dir / "npm" / platform
        pkg_dir = stage / platform
        pkg_dir.mkdir(parents=True)
        platform_manifest = json.loads((src / "package.json").read_text())
        if platform_manifest["version"] != version:
            fail(f"{src}/package.json version {platform_manifest['version']} != {version}")
        shutil.copy2(src / "package.json", pkg_dir)
        shutil.copy2(src / "README.md", pkg_dir)
        shutil.copy2(built[platform], pkg_dir / f"{binary}.{platform}.node")
        optional[platform_manifest["name"]] = version
        print(f"  {npm_pack(pkg_dir, out)}")

    main_dir = stage / "main"
    main_dir.mkdir(parents=True)
    for entry in manifest["files"]:
        src = node_dir / entry
        if src.is_dir():
            shutil.copytree(src, main_dir / entry)
        else:
            shutil.copy2(src, main_dir / entry)
    published = {k: v for k, v in manifest.items() if k not in ("devDependencies", "scripts")}
    published["optionalDependencies"] = optional
    (main_dir / "package.json").write_text(json.dumps(published, indent=2) + "\n")
    print(f"  {npm_pack(main_dir, out)}")


# ---- Go module proxy -----------------------------------------------------------------------


def escape_module_path(path: str) -> str:
    """The proxy protocol's case encoding: an upper-case letter becomes '!' + its lower case."""
    return "".join("!" + c.lower() if c.isupper() else c for c in path)


def go_module_files(module_dir: Path, lib_name: str) -> list[str]:
    files = []
    for dirpath, dirnames, filenames in os.walk(module_dir):
        rel_dir = Path(dirpath).relative_to(module_dir)
        dirnames[:] = sorted(d for d in dirnames if not d.startswith((".", "_")) and d != "testdata")
        for name in sorted(filenames):
            rel = (rel_dir / name).as_posix()
            if rel_dir == Path(".") and name in GO_TOP_FILES:
                files.append(rel)
            elif rel_dir.parts[:1] == ("include",) and name.endswith(".h"):
                files.append(rel)
            elif name.endswith(".go") and (not name.endswith("_test.go") or name == "example_test.go"):
                if rel_dir.parts[:1] not in (("src",), ("tests",), ("ctest",)):
                    files.append(rel)
            elif rel == lib_name:
                files.append(rel)
    if lib_name not in files:
        fail(f"{module_dir / lib_name} not found (it is the library's place in the module)")
    return files


def commit_time() -> str:
    try:
        out = subprocess.run(
            ["git", "log", "-1", "--format=%ct"], cwd=ROOT, check=True, capture_output=True, text=True
        ).stdout.strip()
        moment = datetime.datetime.fromtimestamp(int(out), datetime.timezone.utc)
    except (OSError, subprocess.CalledProcessError, ValueError):
        moment = datetime.datetime.now(datetime.timezone.utc)
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def goproxy(lib: str) -> None:
    """Writes dist/goproxy/<module>/@v/{list,vX.info,vX.mod,vX.zip} for bindings-go.

    The zip is the module as the go command would make it from the repository, except that the
    library's name in internal/ffi (a symbolic link into the Cargo target directory, in a
    checkout) holds the prebuilt, stripped library itself.
    """
    module_dir = ROOT / "bindings-go"
    go_mod = (module_dir / "go.mod").read_text()
    module = next(line.split()[1] for line in go_mod.splitlines() if line.startswith("module "))
    version = "v" + workspace_version()
    lib_name = "internal/ffi/libpalisade_webhooks_ffi_linux_amd64.a"

    out = DIST / "goproxy"
    shutil.rmtree(out, ignore_errors=True)
    versions_dir = out / escape_module_path(module) / "@v"
    versions_dir.mkdir(parents=True)

    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=9) as zf:
        for rel in go_module_files(module_dir, lib_name):
            source = Path(lib) if rel == lib_name else module_dir / rel
            info = zipfile.ZipInfo(f"{module}@{version}/{rel}", date_time=ZIP_TIME)
            info.external_attr = 0o644 << 16
            info.compress_type = zipfile.ZIP_DEFLATED
            zf.writestr(info, source.read_bytes())
    (versions_dir / f"{version}.zip").write_bytes(buf.getvalue())
    (versions_dir / f"{version}.mod").write_text(go_mod)
    (versions_dir / f"{version}.info").write_text(
        json.dumps({"Version": version, "Time": commit_time()}) + "\n"
    )
    (versions_dir / "list").write_text(version + "\n")
    print(f"  {module}@{version} -> {versions_dir.relative_to(ROOT)}")


# ---- sizes ---------------------------------------------------------------------------------


def report() -> None:
    over = []
    print("dist/ (as users download them):")
    for label, (sub, pattern, budget) in BUDGETS.items():
        found = sorted((DIST / sub).glob(pattern))
        if len(found) != 1:
            fail(f"expected one {label} in dist/{sub}/{pattern}, found {len(found)}")
        size = found[0].stat().st_size
        limit = f"(budget {budget / 1e6:.0f} MB)" if budget else ""
        print(f"  {label:<22} {size / 1e6:7.2f} MB  {found[0].relative_to(ROOT)} {limit}")
        if budget and size > budget:
            over.append(label)
    if over:
        fail("over budget: " + ", ".join(over))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("version")
    p_npm = sub.add_parser("npm")
    p_npm.add_argument("--addon", action="append", default=[], help="PLATFORM=FILE, e.g. linux-x64-gnu=x.so")
    p_go = sub.add_parser("goproxy")
    p_go.add_argument("--lib", required=True, help="the stripped linux/amd64 static library")
    sub.add_parser("report")
    args = parser.parse_args()
    if args.command == "version":
        print(workspace_version())
    elif args.command == "npm":
        npm(args.addon)
    elif args.command == "goproxy":
        goproxy(args.lib)
    else:
        report()


if __name__ == "__main__":
    main()
