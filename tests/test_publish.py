"""Publishing that cannot half-happen (issue 9, item 6) and builds that do not depend
on the folder they run in (item 7). Quick builds of the small riverside fixture."""
from __future__ import annotations

import hashlib
import os
import shutil
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from cabildo.pelican import publish
from cabildo.pelican.build import build, validate

ROOT = Path(__file__).resolve().parent.parent
SETTINGS = str(ROOT / "pelicanconf.py")
RIVERSIDE = ROOT / "tests" / "fixtures" / "riverside" / "data"
QUICK = {"CABILDO_DATA_DIR": str(RIVERSIDE), "CABILDO_BULLETINS": False,
         "CABILDO_SEARCH": False, "CABILDO_MAPS": False, "DEFAULT_LANG": "en"}


def quick_build(out: Path, settings: str = SETTINGS, **overrides) -> int:
    return build(settings, str(out), {**QUICK, **overrides}, quiet=True)


def digest(folder: Path) -> dict:
    return {str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file()}


def dead_pid() -> int:
    """The id of a process that has ended."""
    child = subprocess.Popen(["true"])
    child.wait()
    return child.pid


def test_output_is_a_link_switched_to_each_finished_build(tmp_path):
    out = tmp_path / "output"
    assert quick_build(out) == 0
    assert out.is_symlink() and not os.path.isabs(os.readlink(out))  # relative: movable
    first = out.resolve()
    assert first.parent == tmp_path / "output.builds" and (out / "index.html").is_file()
    assert quick_build(out) == 0
    second = out.resolve()
    assert second != first and first.is_dir()  # the previous build is kept (incremental)
    assert quick_build(out) == 0
    builds = sorted(p.name for p in (tmp_path / "output.builds").iterdir()
                    if p.is_dir() and not p.name.startswith("trash-"))  # being removed
    assert builds == [second.name, out.resolve().name]  # older ones removed
    assert sorted(p.name for p in tmp_path.iterdir()) == ["output", "output.builds"]


def test_an_older_output_folder_is_replaced_by_the_link(tmp_path):
    out = tmp_path / "output"
    out.mkdir()
    (out / "old.html").write_text("old")
    assert quick_build(out) == 0
    assert out.is_symlink() and not (out / "old.html").exists()
    assert not list((tmp_path / "output.builds").glob("build-000000-*"))


def test_leftovers_of_dead_builds_are_removed_and_live_ones_kept(tmp_path):
    out = tmp_path / "output"
    builds = tmp_path / "output.builds"
    dead, alive = dead_pid(), os.getppid()
    for leftover in (builds / f"tmp-{dead}", tmp_path / f"output.tmp-{dead}",
                     tmp_path / f"output.old-{dead}", builds / f"tmp-{alive}"):
        leftover.mkdir(parents=True)
        (leftover / "index.html").write_text("half")
    assert quick_build(out) == 0
    assert sorted(p.name for p in tmp_path.iterdir()) == ["output", "output.builds"]
    assert (builds / f"tmp-{alive}").is_dir()  # another build still running: untouched
    assert not (builds / f"tmp-{dead}").exists()


def test_a_second_build_at_the_same_time_is_refused(tmp_path, capsys):
    out = tmp_path / "output"
    assert quick_build(out) == 0
    before = digest(out)
    holder = publish.Publisher(out)
    holder.start()
    try:
        assert quick_build(out, CABILDO_DEMO_NOTICE=False) == 75
    finally:
        holder.close()
    assert f"another build (process {os.getpid()}) is writing output/" in capsys.readouterr().err
    assert digest(out) == before


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT])
def test_an_interrupted_build_says_so_and_keeps_output(tmp_path, capsys, monkeypatch, sig):
    out = tmp_path / "output"
    assert quick_build(out) == 0
    before, target = digest(out), out.resolve()
    from pelican import Pelican
    monkeypatch.setattr(Pelican, "run", lambda self: os.kill(os.getpid(), sig))
    assert quick_build(out) == 130
    assert "build interrupted" in capsys.readouterr().err
    assert out.resolve() == target and digest(out) == before
    assert not list((tmp_path / "output.builds").glob("tmp-*"))
    assert signal.getsignal(signal.SIGTERM) == signal.SIG_DFL  # handlers restored


def test_a_build_failing_while_its_open_data_is_written_leaves_no_process_behind(
        tmp_path, capsys, monkeypatch):
    """The open data are written by a forked process from the start of the build; when
    the pages fail meanwhile, that process is stopped and output/ stays as it was."""
    import multiprocessing

    from cabildo.pelican import pagerender
    out = tmp_path / "output"
    assert quick_build(out) == 0
    before, target = digest(out), out.resolve()

    def broken(gen, part="budget"):
        raise RuntimeError("a template broke")
    monkeypatch.setattr(pagerender, "render_pages", broken)
    assert quick_build(out, CABILDO_WORKERS=2) == 1
    assert "build failed: RuntimeError: a template broke" in capsys.readouterr().err
    assert multiprocessing.active_children() == []
    assert out.resolve() == target and digest(out) == before
    assert not list((tmp_path / "output.builds").glob("tmp-*"))


def _killed_worker(numbers):  # (at module level: the workers are handed it by name)
    os.kill(os.getpid(), signal.SIGKILL)


def test_a_page_worker_killed_mid_build_fails_the_build_and_keeps_output(
        tmp_path, capsys, monkeypatch):
    """A page worker the kernel kills (out of memory, on a small server) made the build
    wait for it forever. Now the build ends with a message and output/ as it was."""
    import multiprocessing

    from cabildo.pelican import pagerender
    out = tmp_path / "output"
    assert quick_build(out) == 0
    before, target = digest(out), out.resolve()
    monkeypatch.setattr(pagerender, "_run_chunk", _killed_worker)
    assert quick_build(out, CABILDO_WORKERS=2) == 1
    assert ("build failed: WorkerLost: a worker process stopped before finishing its work"
            in capsys.readouterr().err)
    assert multiprocessing.active_children() == []
    assert out.resolve() == target and digest(out) == before
    assert not list((tmp_path / "output.builds").glob("tmp-*"))


def test_a_build_after_one_whose_open_data_failed_publishes(tmp_path, capsys, monkeypatch):
    """The failed build's record of its open data files was never written: the next
    build publishes its own, and nothing of the failed one."""
    from cabildo.outputs import opendata
    out = tmp_path / "output"
    assert quick_build(out) == 0

    def broken(*args, **kwargs):
        raise OSError("the disk is full")
    monkeypatch.setattr(opendata, "write", broken)
    assert quick_build(out, CABILDO_WORKERS=2) == 1
    assert "build failed: OSError: the disk is full" in capsys.readouterr().err
    monkeypatch.undo()
    assert quick_build(out, CABILDO_WORKERS=2) == 0, capsys.readouterr().err
    assert (out / "datos" / "parroquias.csv").is_file()


def no_cycle_quorum(tmp_path) -> Path:
    """Riverside's data, its cycle without a quorum of its own (the setting's applies)."""
    data = tmp_path / "data"
    shutil.copytree(RIVERSIDE, data)
    cycle = data / "cycles" / "2025.yaml"
    cycle.write_text(cycle.read_text().replace("  quorum: 0.25\n", ""))
    return data


def test_validate_reads_the_settings_file_as_the_build_does(tmp_path, capsys):
    """A quorum of 90 % in the settings: validate rejects what the build would."""
    settings = tmp_path / "pelicanconf.py"
    settings.write_text(Path(SETTINGS).read_text() + '\nCABILDO_QUORUM = "0.9"\n')
    for name in ("theme", "content"):
        (tmp_path / name).symlink_to(ROOT / name)
    data = {"CABILDO_DATA_DIR": str(no_cycle_quorum(tmp_path))}
    assert validate(SETTINGS, data) == 0
    capsys.readouterr()
    assert validate(str(settings), data) == 1
    said = capsys.readouterr().err
    assert "voted priorities without quorum" in said
    assert build(str(settings), str(tmp_path / "out"), {**QUICK, **data}, quiet=True) == 1
    assert capsys.readouterr().err.splitlines()[:-1] == said.splitlines()[:-1]
    assert not (tmp_path / "out").exists()


def test_validate_command_takes_the_settings_and_overrides(tmp_path):
    run = subprocess.run(
        [sys.executable, "-m", "cabildo", "validate", "--data",
         str(no_cycle_quorum(tmp_path)),
         "--set", 'CABILDO_QUORUM="0.9"'], cwd=ROOT, capture_output=True, text=True,
        env={"PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin"})
    assert run.returncode == 1 and "without quorum" in run.stderr
    assert "Traceback" not in run.stderr


def clone(target: Path) -> Path:
    """A second checkout of the project in another folder (data, theme, content)."""
    target.mkdir(parents=True)
    for name in ("pelicanconf.py", "content", "theme"):
        source = ROOT / name
        (shutil.copytree if source.is_dir() else shutil.copyfile)(source, target / name)
    shutil.copytree(RIVERSIDE, target / "data")
    return target


def test_two_clones_in_different_folders_build_the_same_bytes(tmp_path):
    """No absolute path and no build stamp inside output/."""
    outs = []
    for name in ("one", "elsewhere/two"):
        project = clone(tmp_path / name)
        out = project / "output"
        assert build(str(project / "pelicanconf.py"), str(out),
                     {**QUICK, "CABILDO_DATA_DIR": "data", "CABILDO_MAPS": True}, quiet=True) == 0
        outs.append(out)
        for file in out.rglob("*"):
            if file.is_file():
                assert str(tmp_path).encode() not in file.read_bytes(), file
    assert digest(outs[0]) == digest(outs[1])
    assert not [p for p in outs[0].rglob("*") if p.name.startswith(".")]
