"""`mkdocs-yt2doc init`: the project it writes builds at once with `mkdocs build --strict`,
offline (no connection leaves the machine) and loading no model library, with a talk page;
its workflow is valid for GitHub and its `run:` steps pass here; it never replaces a file.

Zensical's side (`--generator zensical`, `mkdocs-yt2doc build`) is tests/test_build_command.py.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from mkdocs_yt2doc.project import templates
from tests.test_lazy_imports import CHAPTERS, HEAVY

try:
    import tomllib
except ImportError:  # Python 3.10
    import tomli as tomllib

ROOT = Path(__file__).parent.parent
# Every connection but loopback fails at once (the Python side: the plugin, yt-dlp, the hub).
_OFFLINE = """
import socket
_connect = socket.socket.connect
def _refuse(self, address):
    host = address[0] if isinstance(address, tuple) else address
    if isinstance(host, str) and host not in ("127.0.0.1", "::1", "localhost"):
        raise OSError(101, f"offline test: no connection to {host}")
    return _connect(self, address)
socket.socket.connect = _refuse
_getaddrinfo = socket.getaddrinfo
def _resolve(host, *args, **kwargs):
    if host not in (None, "127.0.0.1", "::1", "localhost"):
        raise socket.gaierror(-3, f"offline test: {host} is not resolved")
    return _getaddrinfo(host, *args, **kwargs)
socket.getaddrinfo = _resolve
"""
# Runs a command line (`mkdocs-yt2doc ...` or `mkdocs ...`) in-process, then names the heavy
# modules it imported.
_PROBE = """
import json, sys
heavy = json.loads(sys.argv[1])
if sys.argv[2] == "mkdocs":
    from mkdocs.__main__ import cli
    try:
        cli(sys.argv[3:], standalone_mode=False)
    except SystemExit as exc:
        if exc.code:
            raise
else:
    from mkdocs_yt2doc.cli import main
    if main(sys.argv[3:]):
        sys.exit(1)
print(json.dumps(sorted({m.split(".")[0] for m in sys.modules} & set(heavy))))
"""


def offline_env(tmp: Path, **extra: str) -> dict[str, str]:
    guard = tmp / "offline-guard"
    guard.mkdir(exist_ok=True)
    (guard / "sitecustomize.py").write_text(_OFFLINE)
    path = os.pathsep.join([str(guard), str(ROOT), os.environ.get("PYTHONPATH", "")])
    return {
        **os.environ, "PYTHONPATH": path, "NO_MKDOCS_2_WARNING": "1", "HF_HUB_OFFLINE": "1",
        **extra,
    }  # fmt: skip


def probe(tmp: Path, cwd: Path, *command: str, **env: str) -> list[str]:
    """`command` run offline in a fresh interpreter; the heavy modules it imported."""
    done = subprocess.run(
        [sys.executable, "-c", _PROBE, json.dumps([*HEAVY, *CHAPTERS]), *command],
        cwd=cwd, capture_output=True, text=True, env=offline_env(tmp, **env), timeout=300,
    )  # fmt: skip
    assert done.returncode == 0, done.stdout + done.stderr
    return list(json.loads(done.stdout.strip().splitlines()[-1]))


def init(tmp: Path, folder: Path, *args: str) -> subprocess.CompletedProcess[str]:
    done = subprocess.run(
        [sys.executable, "-m", "mkdocs_yt2doc.cli", "init", str(folder), *args],
        capture_output=True, text=True, env=offline_env(tmp), timeout=300,
    )  # fmt: skip
    assert done.returncode == 0, done.stdout + done.stderr
    return done


def _files(folder: Path) -> dict[str, bytes]:
    return {
        p.relative_to(folder).as_posix(): p.read_bytes()
        for p in sorted(folder.rglob("*"))
        if p.is_file() and ".yt2doc" not in p.parts
    }


def test_init_builds_strict_offline_with_no_model(tmp_path: Path) -> None:
    project = tmp_path / "archive"
    # init itself caches the example talk from its caption file: no model library either
    assert probe(tmp_path, tmp_path, "yt2doc", "init", str(project)) == []
    cached = list((project / ".yt2doc").glob("file-welcome-*/document.json"))
    assert len(cached) == 1
    heavy = probe(tmp_path, project, "mkdocs", "build", "--strict")  # transcribe: auto
    assert heavy == []
    talk = project / "site" / "talks" / "welcome-to-your-talk-archive" / "index.html"
    html = talk.read_text()
    assert "Each talk gets a page with chapters" in html  # the transcript, from the captions
    # its chapters, from talks.yml, in Material's table of contents
    contents = html.split("md-nav--secondary")[1]
    assert 'href="#what-the-archive-does"' in contents and 'href="#adding-your-talks"' in contents
    assert (project / "site" / "talks" / "welcome-to-your-talk-archive" / "welcome.wav").is_file()
    assert (project / "site" / "pagefind" / "pagefind.js").is_file()
    # no third party: Material's Google Fonts are off
    assert "fonts.googleapis.com" not in html
    # and CI's build: `never`, from the committed cache
    assert probe(tmp_path, project, "mkdocs", "build", "--strict", YT2DOC_TRANSCRIBE="never") == []
    assert talk.is_file()


@pytest.mark.parametrize("generator", ["mkdocs", "zensical"])
def test_init_never_replaces_a_file(tmp_path: Path, generator: str) -> None:
    project = tmp_path / "site"
    (project / "docs").mkdir(parents=True)
    (project / "docs" / "index.md").write_text("# Mine\n")
    config = "zensical.toml" if generator == "zensical" else "mkdocs.yml"
    said = init(tmp_path, project, "--generator", generator).stdout
    assert "skipped docs/index.md (it exists; init never replaces a file)" in said
    assert (project / "docs" / "index.md").read_text() == "# Mine\n"
    assert f"wrote   {config}" in said and "cached  the example talk" in said
    before = _files(project)
    cache = sorted(p.relative_to(project) for p in (project / ".yt2doc").rglob("*"))
    again = init(tmp_path, project, "--generator", generator).stdout
    for name in before:
        assert f"skipped {name} (it exists" in again, name
    assert "wrote" not in again and "the example talk is not cached" in again
    assert _files(project) == before  # not a byte changed
    assert sorted(p.relative_to(project) for p in (project / ".yt2doc").rglob("*")) == cache


def test_init_into_a_file_says_so(tmp_path: Path) -> None:
    (tmp_path / "taken").write_text("x")
    done = subprocess.run(
        [sys.executable, "-m", "mkdocs_yt2doc.cli", "init", str(tmp_path / "taken")],
        capture_output=True, text=True, env=offline_env(tmp_path), timeout=120,
    )  # fmt: skip
    assert done.returncode == 2
    assert done.stderr == f"mkdocs-yt2doc: {tmp_path / 'taken'} is a file, not a folder\n"


def _run_steps(workflow: Path, project: Path, tmp: Path, bin_dir: Path) -> list[str]:
    """The build job's `run:` steps, in order, in bash as the runner runs them (`${{ }}`
    expressions replaced); the install step (from git) is checked, not run: this machine
    has the package already."""
    data = yaml.safe_load(workflow.read_text())
    ran = []
    for step in data["jobs"]["build"]["steps"]:
        if "run" not in step:
            continue
        if step.get("name") == "Install":
            assert step["run"].startswith(f'pip install "{templates.PACKAGE}"')
            continue
        env = {
            k: re.sub(r"\$\{\{[^}]*\}\}", "http://127.0.0.1:8000", str(v))
            for k, v in (step.get("env") or {}).items()
        }
        done = subprocess.run(
            ["bash", "-e", "-c", step["run"]], cwd=project, capture_output=True, text=True,
            env={**offline_env(tmp, **env), "PATH": f"{bin_dir}{os.pathsep}{os.environ['PATH']}"},
            timeout=300,
        )  # fmt: skip
        assert done.returncode == 0, step["run"] + "\n" + done.stdout + done.stderr
        ran.append(step["run"])
    return ran


@pytest.mark.parametrize("generator", ["mkdocs", "zensical"])
def test_the_workflow_is_valid_and_its_build_passes(tmp_path: Path, generator: str) -> None:
    if generator == "zensical":
        pytest.importorskip("zensical")
    check = shutil.which("check-jsonschema", path=str(Path(sys.executable).parent))
    if check is None:
        pytest.skip("check-jsonschema is not installed (the test extra has it)")
    project = tmp_path / "archive"
    init(tmp_path, project, "--generator", generator)
    workflow = project / templates.WORKFLOW
    done = subprocess.run(
        [check, "--builtin-schema", "vendor.github-workflows", str(workflow)],
        capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert done.returncode == 0, done.stdout + done.stderr
    data = yaml.safe_load(workflow.read_text())
    steps = data["jobs"]["build"]["steps"]
    uses = [s.get("uses", "").split("@")[0] for s in [*steps, *data["jobs"]["deploy"]["steps"]]]
    assert "actions/upload-pages-artifact" in uses and "actions/deploy-pages" in uses
    assert data["permissions"] == {"contents": "read", "pages": "write", "id-token": "write"}
    [build] = [s for s in steps if s.get("name") == "Build the cached talks only"]
    assert build["env"]["YT2DOC_TRANSCRIBE"] == "never"
    [artifact] = [s for s in steps if s.get("uses", "").startswith("actions/upload-pages")]
    ran = _run_steps(workflow, project, tmp_path, Path(sys.executable).parent)
    assert ran == [build["run"]]
    # what the deploy step uploads: the site, with the talk page and the search index
    site = project / artifact["with"]["path"]
    assert (site / "talks" / "welcome-to-your-talk-archive" / "index.html").is_file()
    assert (site / "pagefind" / "pagefind.js").is_file()


def test_pyproject_names_the_address_the_workflow_installs_from() -> None:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    assert project["urls"]["Source"] == templates.SOURCE
    readme = (ROOT / "README.md").read_text()
    assert f"git+{templates.SOURCE}" in readme


def test_the_cache_is_committed_and_the_rest_ignored(tmp_path: Path) -> None:
    git = shutil.which("git")
    if git is None:
        pytest.skip("git is not installed")
    project = tmp_path / "archive"
    init(tmp_path, project)
    probe(tmp_path, project, "mkdocs", "build", "--strict")
    subprocess.run([git, "init", "-q"], cwd=project, check=True, timeout=60)
    listed = subprocess.run(
        [git, "status", "--porcelain", "--untracked-files=all"],
        cwd=project, capture_output=True, text=True, check=True, timeout=60,
    ).stdout  # fmt: skip
    names = {line[3:] for line in listed.splitlines()}
    assert any(
        n.startswith(".yt2doc/file-welcome-") and n.endswith("/document.json") for n in names
    )
    assert {"mkdocs.yml", "talks.yml", "docs/index.md", templates.WORKFLOW} <= names
    assert not any(n.startswith("site/") for n in names), names
