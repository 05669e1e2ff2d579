"""The README as a newcomer uses it: its links stay in the repository, its commands run."""

import os
import re
import shutil
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import free_port, wait_until

ROOT = Path(__file__).resolve().parent.parent
README = ROOT / "README.md"
SLUG = "temamote-industri-2021"


def outside_code_blocks(markdown: str) -> str:
    return re.sub(r"^```.*?^```", "", markdown, flags=re.DOTALL | re.MULTILINE)


def prose(markdown: str) -> str:
    """The text outside fenced code blocks and inline code, where links live."""
    return re.sub(r"`[^`\n]*`", "", outside_code_blocks(markdown))


def anchor(heading: str) -> str:
    """GitHub's id for a heading: lower case, punctuation dropped, spaces to hyphens."""
    return re.sub(r"[^\w\- ]", "", heading.strip().lower()).replace(" ", "-")


def test_every_readme_link_resolves_to_a_file_in_the_repository():
    text = README.read_text("utf-8")
    body = prose(text)
    targets = re.findall(r"\]\(([^)\s]+)\)", body)
    assert "docs/architecture.md" in targets
    anchors = {anchor(h) for h in re.findall(r"^#+ (.+)$", text, re.MULTILINE)}
    for target in targets:
        assert not re.match(r"[a-z][a-z0-9+.-]*:", target, re.I), f"link leaves the repo: {target}"
        if target.startswith("#"):
            assert target[1:] in anchors, f"no heading for {target}"
            continue
        path = (ROOT / target.split("#")[0]).resolve()
        assert path.is_relative_to(ROOT), f"link points outside the repository: {target}"
        assert path.exists(), f"link to a missing file: {target}"
    outside = re.findall(r"<[a-z]+://[^>]*>|\bhttps?://\S+", body)
    outside += re.findall(r"\.\./\S+", outside_code_blocks(text))  # named in `code` too
    assert outside == [], f"links outside the repository: {outside}"


def operator_block() -> str:
    section = README.read_text("utf-8").split("## Operator commands", 1)[1]
    return re.search(r"```sh\n(.*?)```", section, re.DOTALL).group(1)


def fresh_clone(target: Path) -> Path:
    """The repository's files (as a clone would have them) in `target`, with the venv."""
    listed = subprocess.run(
        ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
        cwd=ROOT, capture_output=True, check=True,
    ).stdout.decode().split("\0")  # fmt: skip
    for name in listed:
        source = ROOT / name
        if not name or name == ".venv" or name.startswith("docs/screenshots/"):
            continue
        if source.is_file():
            (target / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, target / name)
    (target / ".venv").symlink_to(sys.prefix)
    return target


@pytest.mark.slow
@pytest.mark.own_database
def test_the_operator_commands_run_as_printed_on_a_fresh_clone(tmp_path):
    clone = fresh_clone(tmp_path / "clone")
    script = clone / "operator-commands.sh"
    script.write_text("set -ex\n" + operator_block(), "utf-8")
    output = tmp_path / "output.txt"
    # Only what a login shell has, and a free port for the dev mail sink (8025 may be taken).
    env = {"PATH": "/usr/bin:/bin", "HOME": os.environ.get("HOME", "/tmp"), "LANG": "C.UTF-8"}
    env["MAIL_PORT"] = str(free_port())
    with output.open("wb") as sink:
        shell = subprocess.Popen(
            ["bash", str(script)], cwd=clone, env=env, stdin=subprocess.PIPE,
            stdout=sink, stderr=subprocess.STDOUT, start_new_session=True,
        )  # fmt: skip
        # Passwords for `organiser create`, then `organiser password`.
        shell.stdin.write(
            "et-langt-passord-for-arrangøren\nog-et-nytt-langt-passord-æøå\n".encode()
        )
        shell.stdin.close()
        try:
            seen = wait_until(
                lambda: shell.poll() is not None or "scheduler running" in output.read_text(),
                timeout=240,
            )
        finally:
            if shell.poll() is None:
                os.killpg(shell.pid, signal.SIGTERM)
            shell.wait(timeout=30)
    printed = output.read_text()
    assert seen and "scheduler running" in printed, printed
    for expected in [
        f"created event {SLUG}: Temamøte industri, 2021-08-20 14:00 CEST",
        f"event {SLUG} already matches the file; nothing to change",
        f"event {SLUG} exists and is left as it is",
        '"capacity": 60',
        f"capacity of {SLUG} is now 70",
        "Subject: ",
        "nobody to brief",
        "created organiser arrangor@example.no",
    ]:
        assert expected in printed, printed
    assert (clone / "instance" / "signup.sqlite3").exists()


@pytest.mark.slow
def test_without_app_env_the_commands_stop_and_ask_for_a_secret_key(tmp_path):
    """What the README says of `export FLASK_APP=app` alone: production needs SECRET_KEY."""
    env = {"PATH": os.environ["PATH"], "HOME": os.environ.get("HOME", "/tmp"), "FLASK_APP": "app"}
    env["DATABASE_URL"] = f"sqlite:///{tmp_path / 'unused.sqlite3'}"
    flask = Path(sys.executable).parent / "flask"
    ran = subprocess.run(
        [str(flask), "db", "upgrade"], cwd=ROOT, env=env, capture_output=True, text=True
    )
    assert ran.returncode != 0
    assert "SECRET_KEY must be set" in ran.stderr
    assert "SECRET_KEY must be set" in README.read_text("utf-8")


def test_make_run_port_picks_the_port_and_the_email_links_follow():
    planned = subprocess.run(
        ["make", "-n", "run", "PORT=5050"], cwd=ROOT, capture_output=True, text=True, check=True
    ).stdout
    commands = [line for line in planned.splitlines() if "flask --app app" in line]

    assert commands and all("BASE_URL=http://127.0.0.1:5050" in line for line in commands)
    assert commands[-1].endswith("run --host 127.0.0.1 --port 5050")
    assert "event load --demo --create-only" in commands[1]
