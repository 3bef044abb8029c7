#!/usr/bin/env python3
"""`make test-dist`: the artifacts of `make dist`, installed as a user would install them.

Each language's package is installed with its ecosystem's own command into a fresh place in a
temporary directory outside the checkout, with no cargo, rustc or rustup on PATH:
  - Python: `pip install` of the wheel into a new venv (the wheel itself with --no-index);
  - Node.js: `npm install --offline` of the two tarballs into a new project, with an empty cache;
  - Go: `go get` through the file module proxy (GOPROXY=file://...) into a new module, with an
    empty module cache, then `go build` with cgo.
A smoke program per language (smoke.py, smoke.js, smoke.go here) then verifies a TestSigner
delivery, sees a tampered one refused with ERR_INVALID_SIGNATURE, and gets both answers from an
adapter over real HTTP on 127.0.0.1. Also checked: the platform errors (npm without its platform
package; Go without cgo and for a platform without a prebuilt library), that the binaries ask
for no glibc newer than 2.17, and that one version is used everywhere. Prints one line per check and "N passed, N failed"; exits 1 on any failure.

    python3 tests/dist/run.py [--keep]   (--keep leaves the temporary directory for inspection)
"""

from __future__ import annotations

import argparse
import glob
import json
import os
import re
import shutil
import subprocess
import sys
import tarfile
import tempfile
import time
import tomllib
import traceback
import zipfile
from pathlib import Path
from typing import Any, Callable

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
DIST = ROOT / "dist"
GO_MODULE = "github.com/palisade-webhooks/palisade-webhooks/bindings-go"
RUST_TOOLS = ("cargo", "rustc", "rustup")
# zig, as a C compiler for linux/arm64, to see what a build for that platform says.
ZIG = ROOT / "target" / "dist-tools" / "venv" / "bin" / "python-zig"

with open(ROOT / "Cargo.toml", "rb") as _f:
    VERSION = str(tomllib.load(_f)["workspace"]["package"]["version"])


class CheckFailed(Exception):
    pass


def expect(condition: bool, message: str) -> None:
    if not condition:
        raise CheckFailed(message)


def one(pattern: str) -> Path:
    found = sorted(glob.glob(str(DIST / pattern)))
    expect(len(found) == 1, f"expected one dist/{pattern}, found {found} (run `make dist`)")
    return Path(found[0])


def rustless_env(tmp: Path) -> dict[str, str]:
    """The environment minus the Rust toolchain: PATH directories holding cargo, rustc or
    rustup are replaced by a copy (of symbolic links) without them, CARGO_* / RUSTUP_* unset."""
    entries = []
    for i, entry in enumerate(os.environ.get("PATH", "").split(os.pathsep)):
        directory = Path(entry)
        if not any((directory / tool).exists() for tool in RUST_TOOLS):
            entries.append(entry)
            continue
        shadow = tmp / f"path-{i}"
        shadow.mkdir()
        for item in directory.iterdir():
            if not item.name.startswith(("cargo", "rust", "clippy", "rls")):
                (shadow / item.name).symlink_to(item)
        entries.append(str(shadow))
    env = {k: v for k, v in os.environ.items() if not k.startswith(("CARGO", "RUSTUP", "RUSTC"))}
    env["PATH"] = os.pathsep.join(entries)
    for tool in RUST_TOOLS:
        found = shutil.which(tool, path=env["PATH"])
        expect(found is None, f"{tool} still on PATH at {found}")
    return env


def run(cmd: list[str], cwd: Path, env: dict[str, str], ok: bool = True) -> subprocess.CompletedProcess[str]:
    result = subprocess.run(cmd, cwd=cwd, env=env, capture_output=True, text=True, timeout=600)
    if ok and result.returncode != 0:
        raise CheckFailed(f"`{' '.join(cmd)}` exited {result.returncode}\n{result.stdout}\n{result.stderr}")
    return result


def last_json(output: str) -> dict[str, Any]:
    facts: dict[str, Any] = json.loads(output.strip().splitlines()[-1])
    return facts


def inside(path: str | Path, directory: Path) -> bool:
    return Path(path).resolve().is_relative_to(directory.resolve())


# ---- checks --------------------------------------------------------------------------------


def check_python(tmp: Path, env: dict[str, str]) -> str:
    wheel = one("python/*.whl")
    work = tmp / "python"
    work.mkdir()
    venv = work / "venv"
    run(["python3", "-m", "venv", str(venv)], work, env)
    py = str(venv / "bin" / "python")
    quiet = ["--quiet", "--disable-pip-version-check"]
    # The package alone, from the wheel file only: nothing to build, nothing to download.
    run([py, "-m", "pip", "install", *quiet, "--no-index", str(wheel)], work, env)
    run([py, "-m", "pip", "install", *quiet, "-r", str(HERE / "requirements.txt")], work, env)
    shutil.copy(HERE / "smoke.py", work)
    facts = last_json(run([py, "smoke.py"], work, env).stdout)
    expect(inside(facts["module_file"], venv), f"imported from {facts['module_file']}, not the venv")
    expect(facts["version"] == VERSION, f"palisade_webhooks.__version__ {facts['version']} != {VERSION}")
    expect(facts["dist_version"] == VERSION, f"installed distribution version {facts['dist_version']}")
    expect(facts["tampered"] == "ERR_INVALID_SIGNATURE" and facts["http"] == [200, 401], str(facts))
    return f"{wheel.name} in a fresh venv: verified, tampered refused, Flask 200/401"


def npm_install(project: Path, env: dict[str, str], tarballs: list[Path]) -> subprocess.CompletedProcess[str]:
    project.mkdir(parents=True)
    (project / "package.json").write_text(json.dumps({"name": project.name, "version": "1.0.0", "private": True}))
    cache = project.parent / f"{project.name}-npm-cache"  # empty: offline means nothing cached
    return run(
        ["npm", "install", "--offline", "--no-audit", "--no-fund", "--cache", str(cache)]
        + [str(t) for t in tarballs],
        project,
        env,
    )


def check_node(tmp: Path, env: dict[str, str]) -> str:
    main = one("npm/palisade-webhooks-[0-9]*.tgz")
    platform = one("npm/palisade-webhooks-linux-x64-gnu-*.tgz")
    app = tmp / "node" / "app"
    npm_install(app, env, [main, platform])
    shutil.copy(HERE / "smoke.js", app)
    facts = last_json(run(["node", "smoke.js"], app, env).stdout)
    modules = app / "node_modules"
    expect(inside(facts["module_file"], modules), f"loaded from {facts['module_file']}")
    expect(inside(facts["platform_package"], modules), f"platform package at {facts['platform_package']}")
    expect(facts["main_package_addons"] == [], f"the main package carries {facts['main_package_addons']}")
    expect(facts["version"] == VERSION and facts["platform_version"] == VERSION, str(facts))
    expect(facts["optional_dependencies"] == {"palisade-webhooks-linux-x64-gnu": VERSION}, str(facts))
    expect(facts["tampered"] == "ERR_INVALID_SIGNATURE" and facts["http"] == [200, 401], str(facts))
    return f"{main.name} + {platform.name}, npm install --offline: verified, tampered refused, fetch adapter 200/401"


def check_node_without_platform_package(tmp: Path, env: dict[str, str]) -> str:
    main = one("npm/palisade-webhooks-[0-9]*.tgz")
    app = tmp / "node" / "bare"
    npm_install(app, env, [main])  # the optional platform package cannot be fetched offline
    expect(not (app / "node_modules" / "palisade-webhooks-linux-x64-gnu").exists(), "platform package installed")
    result = run(["node", "-e", "require('palisade-webhooks')"], app, env, ok=False)
    expect(result.returncode != 0, "loaded without its platform package")
    message = result.stderr
    expect("no native addon for linux-x64-gnu" in message, f"unexpected error:\n{message}")
    expect("palisade-webhooks-linux-x64-gnu" in message and "--omit=optional" in message, message)
    return "throws 'no native addon for linux-x64-gnu' naming the missing optional dependency"


def go_env(tmp: Path, env: dict[str, str]) -> dict[str, str]:
    return {
        **env,
        "GOPROXY": (DIST / "goproxy").as_uri(),
        "GOFLAGS": "-mod=mod",
        # As the README has it: no checksum database look-up for this (unpublished) module.
        "GONOSUMDB": "github.com/palisade-webhooks/palisade-webhooks",
        "GOMODCACHE": str(tmp / "go" / "modcache"),
        "GOTOOLCHAIN": "local",
        "GOWORK": "off",
        "CGO_ENABLED": "1",
    }


def go_module(tmp: Path, env: dict[str, str]) -> Path:
    """A fresh module that has fetched the SDK through the proxy (made once, shared by checks)."""
    app = tmp / "go" / "app"
    if not (app / "go.sum").exists():
        app.mkdir(parents=True)
        (app / "go.mod").write_text("module example.com/palisade-smoke\n\ngo 1.22\n")
        shutil.copy(HERE / "smoke.go", app / "main.go")
        run(["go", "get", f"{GO_MODULE}@v{VERSION}"], app, env)
    return app


def build_errors(output: str) -> list[str]:
    return [line for line in output.splitlines() if re.match(r"^\S+\.go:\d+:\d+: ", line)]


def check_go(tmp: Path, env: dict[str, str]) -> str:
    env = go_env(tmp, env)
    app = go_module(tmp, env)
    run(["go", "build", "-o", "smoke", "."], app, env)
    facts = last_json(run([str(app / "smoke")], app, env).stdout)
    expect(facts["version"] == VERSION, f"palisade.Version() {facts['version']} != {VERSION}")
    expect(facts["tampered"] == "ERR_INVALID_SIGNATURE" and facts["http"] == [200, 401], str(facts))
    lib = Path(env["GOMODCACHE"]) / f"{GO_MODULE}@v{VERSION}" / "internal/ffi/libpalisade_webhooks_ffi_linux_amd64.a"
    expect(lib.is_file() and not lib.is_symlink(), f"{lib} is not a regular file")
    sections = run(["objdump", "-h", str(lib)], app, env).stdout
    expect(".debug_" not in sections, "the module's static library carries debug info")
    return f"go get {GO_MODULE}@v{VERSION} + go build (cgo): verified, tampered refused, Handler 200/401"


def check_go_without_cgo(tmp: Path, env: dict[str, str]) -> str:
    env = go_env(tmp, env)
    app = go_module(tmp, env)
    result = run(["go", "build", "-o", "smoke-nocgo", "."], app, {**env, "CGO_ENABLED": "0"}, ok=False)
    errors = build_errors(result.stderr)
    expect(result.returncode != 0, "built without cgo")
    expect(len(errors) == 1 and "palisade-webhooks needs cgo" in errors[0], f"errors:\n{result.stderr}")
    return errors[0].split(": ", 1)[1][:90] + "..."


def check_go_other_platform(tmp: Path, env: dict[str, str]) -> str:
    env = go_env(tmp, env)
    app = go_module(tmp, env)
    expect(ZIG.exists(), f"{ZIG} missing (make dist-tools installs it)")
    cross = {**env, "GOARCH": "arm64", "CC": f"{ZIG} cc -target aarch64-linux-gnu"}
    result = run(["go", "build", "-o", "smoke-arm64", "."], app, cross, ok=False)
    errors = build_errors(result.stderr)
    expect(result.returncode != 0, "built for linux/arm64, which has no prebuilt library")
    expect(len(errors) == 1 and "prebuilt library for linux/amd64 only" in errors[0], f"errors:\n{result.stderr}")
    return errors[0].split(": ", 1)[1][:90] + "..."


def check_glibc(tmp: Path, env: dict[str, str]) -> str:
    """The wheel's extension and the npm addon ask for no glibc symbol newer than 2.17."""
    work = tmp / "glibc"
    work.mkdir()
    with zipfile.ZipFile(one("python/*.whl")) as zf:
        (work / "wheel.so").write_bytes(zf.read("palisade_webhooks/_native.abi3.so"))
    with tarfile.open(one("npm/palisade-webhooks-linux-x64-gnu-*.tgz")) as tf:
        (work / "addon.node").write_bytes(tf.extractfile("package/palisade-webhooks.linux-x64-gnu.node").read())  # type: ignore[union-attr]
    newest = {}
    for binary in ("wheel.so", "addon.node"):
        symbols = run(["objdump", "-T", binary], work, env).stdout
        versions = {tuple(int(n) for n in v.split(".")) for v in re.findall(r"GLIBC_([0-9.]+)", symbols)}
        expect(bool(versions), f"{binary}: no glibc symbol versions found")
        newest[binary] = max(versions)
        expect(newest[binary] <= (2, 17), f"{binary} needs glibc {newest[binary]}")
    return ", ".join(f"{b} needs glibc {'.'.join(map(str, v))}" for b, v in newest.items())


def check_versions(tmp: Path, env: dict[str, str]) -> str:
    """One version everywhere: the workspace's, in every crate, the lock file, the wheel and
    sdist metadata, every package.json (repository and packed), and the Go proxy tree (the Go
    package's Version() and the Python/Node runtime versions are checked by the smoke checks)."""
    found: dict[str, str] = {}
    with open(ROOT / "Cargo.toml", "rb") as f:
        workspace = tomllib.load(f)["workspace"]
    members = sorted({Path(p) for pattern in workspace["members"] for p in glob.glob(str(ROOT / pattern))})
    crate_names = []
    for member in members:
        with open(member / "Cargo.toml", "rb") as f:
            package = tomllib.load(f)["package"]
        crate_names.append(package["name"])
        v = package.get("version")
        found[f"crate {package['name']}"] = VERSION if v == {"workspace": True} else str(v)
    with open(ROOT / "Cargo.lock", "rb") as f:
        for package in tomllib.load(f)["package"]:
            if package["name"] in crate_names and "source" not in package:
                found[f"Cargo.lock {package['name']}"] = package["version"]
    wheel = one("python/*.whl")
    with zipfile.ZipFile(wheel) as zf:
        metadata = zf.read(f"palisade_webhooks-{VERSION}.dist-info/METADATA").decode()
    found["wheel METADATA"] = re.search(r"^Version: (.+)$", metadata, re.M).group(1)  # type: ignore[union-attr]
    sdist = one("python/*.tar.gz")
    with tarfile.open(sdist) as tf:
        pkg_info = tf.extractfile(f"palisade_webhooks-{VERSION}/PKG-INFO").read().decode()  # type: ignore[union-attr]
    found["sdist PKG-INFO"] = re.search(r"^Version: (.+)$", pkg_info, re.M).group(1)  # type: ignore[union-attr]
    node = ROOT / "bindings-node"
    for manifest in [node / "package.json", *sorted(node.glob("npm/*/package.json"))]:
        found[str(manifest.relative_to(ROOT))] = json.loads(manifest.read_text())["version"]
    lock = json.loads((node / "package-lock.json").read_text())
    found["bindings-node/package-lock.json"] = lock["packages"][""]["version"]
    for tarball in sorted((DIST / "npm").glob("*.tgz")):
        with tarfile.open(tarball) as tf:
            packed = json.load(tf.extractfile("package/package.json"))  # type: ignore[arg-type]
        found[f"{tarball.name} package.json"] = packed["version"]
        for dep, v in packed.get("optionalDependencies", {}).items():
            found[f"{tarball.name} optionalDependencies {dep}"] = v
    versions = DIST / "goproxy" / GO_MODULE / "@v"
    found["Go proxy list"] = versions.joinpath("list").read_text().strip().removeprefix("v")
    found["Go proxy .info"] = json.loads(versions.joinpath(f"v{VERSION}.info").read_text())["Version"][1:]
    wrong = {where: v for where, v in found.items() if v != VERSION}
    expect(not wrong, f"not {VERSION}: {wrong}")
    expect(len([k for k in found if k.startswith("crate ")]) >= 5, f"too few crates found: {found}")
    return f"{VERSION} in {len(found)} places"


CHECKS: list[tuple[str, Callable[[Path, dict[str, str]], str]]] = [
    ("one version everywhere", check_versions),
    ("native code loads on glibc >= 2.17", check_glibc),
    ("python: wheel installs and works", check_python),
    ("node: tarballs install offline and work", check_node),
    ("node: clear error without the platform package", check_node_without_platform_package),
    ("go: module from the file proxy builds and works", check_go),
    ("go: CGO_ENABLED=0 gives one clear error", check_go_without_cgo),
    ("go: linux/arm64 (no prebuilt library) gives one clear error", check_go_other_platform),
]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--keep", action="store_true", help="keep the temporary directory")
    args = parser.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="palisade-dist-"))
    if inside(tmp, ROOT):
        print(f"the temporary directory {tmp} is inside the checkout; set TMPDIR elsewhere", file=sys.stderr)
        return 1
    passed = failed = 0
    try:
        env = rustless_env(tmp)
        print(f"test-dist: installing into {tmp} (no cargo/rustc/rustup on PATH)")
        for name, check in CHECKS:
            started = time.monotonic()
            try:
                detail = check(tmp, env)
            except (CheckFailed, subprocess.TimeoutExpired, OSError, KeyError, ValueError) as e:
                failed += 1
                print(f"FAIL {name} ({time.monotonic() - started:.1f}s)\n     {e}")
                if not isinstance(e, CheckFailed):
                    traceback.print_exc()
            else:
                passed += 1
                print(f"ok   {name} ({time.monotonic() - started:.1f}s): {detail}")
    finally:
        modcache = tmp / "go" / "modcache"
        if modcache.exists():  # the go command makes its module cache read-only
            for dirpath, dirnames, _ in os.walk(modcache):
                for d in dirnames:
                    os.chmod(os.path.join(dirpath, d), 0o755)
            os.chmod(modcache, 0o755)
        if args.keep or failed:
            print(f"left {tmp} for inspection")
        else:
            shutil.rmtree(tmp)
    print(f"{passed} passed, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
