"""The incremental publish keeps every guarantee: a killed run changes nothing, one writer at a time, idempotent
loads, rejects kept, and derived tables equal to a rebuild from scratch however many refreshes came before."""

from __future__ import annotations

import hashlib
import json
import os
import signal
import socket
import subprocess
import sys
import textwrap
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

import duckdb
import pytest

from etl import runner
from etl.warehouse import derived

ROOT = Path(__file__).resolve().parents[2]
HEADER = ("record_id,metric,value,qualifier,unit,claimed_by_org,country_iso3,admin1_pcode,period_end,publisher,"
          "published\n")


def curated_rows(ids, value=100) -> str:
    return HEADER + "".join(f"{i},displaced,{value + k},exact,people,OCHA,SYR,SY07,2020-0{1 + k % 9}-15,OCHA,"
                            f"2020-03-01\n" for k, i in enumerate(ids))


ARTICLE = ("Fighting in Idlib\n\nMore than {n:,} people fled their homes in Idlib, Syria, the United Nations said on"
           " 3 March 2020. At least {k} people were killed.\n")


def rows(settings, sql: str):
    con = duckdb.connect(str(settings.db), read_only=True)
    try:
        return con.execute(sql).fetchall()
    finally:
        con.close()


def state(settings) -> dict:
    """Every table a reader can see, sorted: what 'changes nothing' and 'identical' compare."""
    tables = {"figures": "figure_id", "documents": "doc_id", "claims": "claim_id", "rejects": "reject_id",
              "places": "pcode", "figure_facts": "figure_id", "figure_months": "ALL"}
    return {t: rows(settings, f"SELECT * EXCLUDE (load_id) FROM {t} ORDER BY {o}" if t in ("figures", "documents")
                    else f"SELECT * FROM {t} ORDER BY {o}") for t, o in tables.items()}


def derived_from_scratch(settings, tmp_path) -> dict:
    """The derived tables of the published warehouse rebuilt from its base tables, in a copy."""
    copy = tmp_path / "scratch.duckdb"
    copy.write_bytes(Path(os.path.realpath(settings.db)).read_bytes())
    con = duckdb.connect(str(copy))
    try:
        derived.rebuild(con)
        return {t: con.execute(f"SELECT * EXCLUDE ({x}) FROM {t} ORDER BY ALL").fetchall()
                for t, x in (("figure_facts", "default_rank"), ("figure_months", "latest_key"),
                             ("claims", "claim_id"))}
    finally:
        con.close()


def published_derived(settings) -> dict:
    return {t: rows(settings, f"SELECT * EXCLUDE ({x}) FROM {t} ORDER BY ALL")
            for t, x in (("figure_facts", "default_rank"), ("figure_months", "latest_key"), ("claims", "claim_id"))}


def digest(path) -> str:
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


@pytest.fixture
def sources(settings):
    settings.articles_dir.mkdir()
    (settings.articles_dir / "a0.txt").write_text(ARTICLE.format(n=1000, k=5))
    settings.curated_csv.write_text(curated_rows(["r1", "r2", "r3"]))
    return settings


def env_for(settings) -> dict:
    env = {k: v for k, v in os.environ.items() if not k.startswith("DISPLACEMENT_")}
    env.update(PYTHONPATH=str(ROOT), DISPLACEMENT_DB=str(settings.db),
               DISPLACEMENT_ARTICLES_DIR=str(settings.articles_dir), DISPLACEMENT_CURATED_CSV=str(settings.curated_csv),
               DISPLACEMENT_MEMORY_LIMIT="512MB")
    return env


# A run in a child process that stops at one point of the publish (announcing it) until it is killed.
PAUSED_RUN = textwrap.dedent(
    """
    import sys, time
    from etl import runner
    from etl.settings import Settings
    from etl.warehouse import derived, versions

    where = sys.argv[1]

    def pause(module, name):
        original = getattr(module, name)
        def paused(*args, **kwargs):
            if name != "replay" or args[1]:
                print(where, flush=True)
                time.sleep(120)
            return original(*args, **kwargs)
        setattr(module, name, paused)

    targets = {"replaying": (versions, "replay"), "maintaining": (derived, "maintain"),
               "journaling": (versions.Store, "write_journal"), "switching": (versions.Store, "point_to")}
    pause(*targets[where])
    runner.run(Settings.from_env(), ["articles", "curated"])
    """
)


def paused(proc, where: str) -> None:
    """Wait until the child announces its pause; if it ends instead, say how."""
    line = proc.stdout.readline()
    if line.strip() != where:
        proc.kill()
        out, err = proc.communicate(timeout=60)
        raise AssertionError(f"expected {where!r}, got {line + out!r}; exit {proc.returncode}; stderr: {err[-2000:]}")


@pytest.mark.parametrize("where", ["replaying", "maintaining", "journaling", "switching"])
def test_a_run_killed_anywhere_in_the_publish_changes_nothing_and_the_next_run_recovers(sources, tmp_path, where):
    runner.run(sources)
    runner.run(sources)  # both copies exist: the next run replays the older one
    before, live = state(sources), os.path.realpath(sources.db)
    live_digest = digest(live)
    (sources.articles_dir / "a1.txt").write_text(ARTICLE.format(n=2000, k=7))
    sources.curated_csv.write_text(curated_rows(["r1", "r2", "r3", "r4"]))
    proc = subprocess.Popen([sys.executable, "-c", PAUSED_RUN, where], env=env_for(sources),
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        paused(proc, where)
        assert os.path.realpath(sources.db) == live and state(sources) == before
    finally:
        proc.send_signal(signal.SIGKILL)
        proc.wait()
    assert os.path.realpath(sources.db) == live and digest(live) == live_digest
    assert state(sources) == before
    results = runner.run(sources)
    assert all(r.status == "ok" for r in results)
    assert rows(sources, "SELECT count(*) FROM figures WHERE record_id = 'r4'") == [(1,)]
    assert published_derived(sources) == derived_from_scratch(sources, tmp_path)


def test_a_second_run_is_refused_while_one_publishes(sources):
    runner.run(sources)
    before = state(sources)
    proc = subprocess.Popen([sys.executable, "-c", PAUSED_RUN, "maintaining"], env=env_for(sources),
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        paused(proc, "maintaining")
        second = subprocess.run([sys.executable, "-m", "etl.cli", "etl", "run", "curated"], env=env_for(sources),
                                capture_output=True, text=True, timeout=120)
    finally:
        proc.send_signal(signal.SIGKILL)
        proc.wait()
    assert second.returncode == 1
    assert second.stderr.strip().startswith("error: another ETL run holds the lock")
    assert len(second.stderr.strip().splitlines()) == 1
    assert state(sources) == before


def test_runs_on_the_same_input_change_nothing_whichever_copy_they_write(sources):
    runner.run(sources)
    first, copies = state(sources), set()
    for _ in range(3):
        runner.run(sources)
        copies.add(os.path.realpath(sources.db))
        assert state(sources) == first
    assert len(copies) == 3  # every publish is a new file; the two copies took turns


def test_rejects_are_kept_through_later_publishes(sources):
    sources.curated_csv.write_text(curated_rows(["r1", "r2"]) + "r3,displaced,lots,exact,people,OCHA,SYR,,,OCHA,\n")
    [result] = runner.run(sources, ["curated"])
    assert result.rows_rejected == 1
    rejects = rows(sources, "SELECT source, reason FROM rejects")
    assert len(rejects) == 1 and rejects[0][0] == "curated"
    for i in range(3):
        (sources.articles_dir / f"n{i}.txt").write_text(ARTICLE.format(n=3000 + i, k=i + 1))
        runner.run(sources, ["articles"])
        assert rows(sources, "SELECT source, reason FROM rejects") == rejects


def test_derived_tables_after_many_small_refreshes_equal_a_rebuild(sources, tmp_path):
    runner.run(sources)
    (sources.articles_dir / "a1.txt").write_text(ARTICLE.format(n=4000, k=9))
    runner.run(sources, ["articles"])
    # the same document extracted again with other numbers: its old figures go, new ones come
    (sources.articles_dir / "a1.txt").write_text(ARTICLE.format(n=5000, k=11))
    runner.run(sources, ["articles"])
    sources.curated_csv.write_text(curated_rows(["r1", "r2", "r3", "r5", "r6"], value=700))
    runner.run(sources, ["curated"])
    assert rows(sources, "SELECT count(*) FROM figures WHERE value = 4000") == [(0,)]
    assert rows(sources, "SELECT count(*) FROM figure_facts WHERE value = 5000") == [(1,)]
    assert published_derived(sources) == derived_from_scratch(sources, tmp_path)


def test_a_figure_deleted_without_a_new_load_id_leaves_the_derived_tables(sources, tmp_path):
    """Derived tables follow deletions however they happen, not only through the runner's stamps."""
    from etl.warehouse import etl_lock, next_version

    runner.run(sources)
    with etl_lock(sources), next_version(sources, claims=True) as con:
        con.execute("DELETE FROM figures WHERE record_id = 'r2'")
    assert rows(sources, "SELECT count(*) FROM figure_facts WHERE record_id = 'r2'") == [(0,)]
    assert published_derived(sources) == derived_from_scratch(sources, tmp_path)


def test_space_is_reused_across_refreshes(sources):
    """Each copy grows by what is added plus a bounded overhead, not by its size at every publish."""
    runner.run(sources)
    runner.run(sources)
    sizes = []
    for i in range(8):
        (sources.articles_dir / f"s{i}.txt").write_text(ARTICLE.format(n=6000 + i, k=20 + i))
        runner.run(sources, ["articles"])
        folder = Path(str(sources.db.with_name(sources.db.stem + ".versions")))
        sizes.append(sum(p.stat().st_size for p in folder.rglob("*") if p.is_file()))
        assert len(list(folder.glob("v*.duckdb"))) == 2
    assert sizes[-1] - sizes[1] <= 2 * 2 * 1024 * 1024  # 2 copies × (added rows + at most a few 256 KB blocks)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def get_json(url: str) -> dict:
    try:
        with urllib.request.urlopen(url, timeout=60) as response:
            return json.loads(response.read())
    except urllib.error.HTTPError as exc:
        raise AssertionError(f"{url}: {exc.code} {exc.read()[:300]!r}") from None


def test_refreshes_stay_incremental_while_the_dashboard_and_its_sql_console_hold_the_warehouse(sources):
    """The console's worker and the dashboard's reader leave a replaced copy when idle: the next publish brings
    that copy up to date from the journal instead of waiting for it, then copying the whole file."""
    runner.run(sources)
    runner.run(sources)
    env, port = {**env_for(sources), "DISPLACEMENT_SQL_TIMEOUT": "120"}, free_port()  # a loaded machine is slow
    server = subprocess.Popen([sys.executable, "-m", "etl.cli", "serve", "--port", str(port)], env=env,
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{port}"
    count = base + "/api/sql?" + urllib.parse.urlencode({"q": "SELECT count(*) FROM v_figures"})
    try:
        for _ in range(240):
            try:
                get_json(base + "/api/health")
                break
            except OSError:
                time.sleep(0.25)
        before = get_json(count)["rows"][0][0]
        for i in range(4):
            if i % 2 == 0:  # both open the published copy, which the publish after next reuses
                assert get_json(count)["rows"][0][0] == before + i
                get_json(base + "/api/figures?limit=5")
            sources.curated_csv.write_text(curated_rows(["r1", "r2", "r3", *(f"n{k}" for k in range(i + 1))]))
            done = subprocess.run([sys.executable, "-m", "etl.cli", "--log-level", "info", "etl", "run", "curated"],
                                  env=env, capture_output=True, text=True, timeout=300)
            assert done.returncode == 0, done.stderr
            assert "(replayed," in done.stderr, done.stderr  # not "(copied,": nobody held the older copy
        assert get_json(count)["rows"][0][0] == before + 4  # the console follows the switches
    finally:
        server.terminate()
        server.wait(timeout=60)


def test_no_progress_bar_reaches_stdout_from_the_publish_or_displacement_sql(sources):
    """DuckDB draws a progress bar on stdout for any query slower than 2 s (a loaded machine, a big warehouse):
    it would land in `displacement sql`'s output and in the output of every ETL run."""
    from etl.warehouse import etl_lock, next_version, scalar

    runner.run(sources)
    with etl_lock(sources), next_version(sources) as con:
        assert scalar(con, "SELECT current_setting('enable_progress_bar')") is False
    out = subprocess.run([sys.executable, "-m", "etl.cli", "sql", "SELECT current_setting('enable_progress_bar') AS p"],
                         env=env_for(sources), capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    assert "false" in out.stdout.lower() and "true" not in out.stdout.lower()


def _cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def test_a_publish_while_a_console_query_runs_on_the_copy_it_needs_replays_and_the_query_is_answered(sources):
    """Two publishes during one console query: the second needs the copy the query reads. The worker interrupts
    the query when the publish takes that copy (renames it away) and the console runs it again on the published
    file, so the publish brings the copy up to date instead of waiting 5 s and copying the whole warehouse."""
    import dataclasses
    import threading

    from dashboard import sql_sandbox

    runner.run(sources)
    runner.run(sources)  # two copies: the published one (which the query reads) and the older one
    settings = dataclasses.replace(sources, sql_timeout=600.0, public_only="false")  # the worker reads the warehouse
    [[before]] = sql_sandbox.run(settings, "SELECT count(*) FROM figures", client="t").rows
    # spins while it reads the warehouse as it was when the query started; on a newer version it answers at once
    spin = ("SELECT max(n) AS n FROM (SELECT s.n FROM (SELECT count(*) AS n FROM figures) s,"
            f" range(100000000000000) r WHERE s.n > {before} OR r.range < 0 LIMIT 1)")
    answer: dict = {}

    def ask():
        try:
            answer["result"] = sql_sandbox.run(settings, spin, client="t")
        except Exception as exc:  # noqa: BLE001 - the assertion below shows it
            answer["result"] = exc

    query = threading.Thread(target=ask, daemon=True)
    try:
        worker = sql_sandbox._sandbox_for(settings)._proc.pid
        start = _cpu_seconds(worker)
        query.start()
        while _cpu_seconds(worker) < start + 1.0:  # the worker is spinning on the query
            assert query.is_alive()
            time.sleep(0.1)
        for i in range(2):
            sources.curated_csv.write_text(curated_rows(["r1", "r2", "r3", *(f"m{k}" for k in range(i + 1))]))
            done = subprocess.run([sys.executable, "-m", "etl.cli", "--log-level", "info", "etl", "run", "curated"],
                                  env=env_for(sources), capture_output=True, text=True, timeout=300)
            assert done.returncode == 0, done.stderr
            assert "(replayed," in done.stderr, done.stderr  # not "(copied,"
        query.join(timeout=300)
        # answered, not an error, and run again on a newer version (the one published as the publish took the copy)
        assert not query.is_alive()
        assert isinstance(answer["result"], sql_sandbox.Result), repr(str(answer["result"]))
        assert answer["result"].rows[0][0] in (before + 1, before + 2), answer["result"]
    finally:
        sql_sandbox.shutdown()


class _SpinningName(str):
    """A restricted source 'name' that the public-copy build puts in its SQL as a query running until interrupted:
    a build that takes long while it reads the published file."""

    def __repr__(self):
        return "(SELECT 'x' FROM range(100000000000000) r WHERE r.range < 0 LIMIT 1)"


def open_files() -> set[str]:
    """The files this process has open; a descriptor closed while they are listed is skipped."""
    names = set()
    for fd in os.listdir("/proc/self/fd"):
        try:
            names.add(os.readlink(f"/proc/self/fd/{fd}"))
        except FileNotFoundError:
            pass
    return names


def test_a_public_copy_build_reading_the_copy_a_publish_needs_lets_go_of_it(sources, monkeypatch):
    """The console's public-copy builder reads the published file; two publishes later that file is the copy the
    publish brings up to date. The build stops (its version is outdated), leaves no file, and the publish replays."""
    import threading

    from etl import licences, public_copy
    from etl.warehouse import WarehouseError

    runner.run(sources)
    runner.run(sources)
    source = public_copy.published(sources.db)
    out = public_copy.path_for(sources.db)
    out.parent.mkdir(parents=True)
    monkeypatch.setattr(licences, "restricted_sources", lambda: [_SpinningName("x")])
    failure: dict = {}

    def build():
        try:
            public_copy.build(source, out, "256MB", 1)
        except WarehouseError as exc:
            failure["error"] = str(exc)

    builder = threading.Thread(target=build, daemon=True)
    builder.start()
    while str(source) not in open_files():
        assert builder.is_alive()  # until the build has the published file open
        time.sleep(0.1)
    assert public_copy.newest(sources.db) is None  # a copy being written is never served
    for i in range(2):
        sources.curated_csv.write_text(curated_rows(["r1", "r2", "r3", *(f"b{k}" for k in range(i + 1))]))
        done = subprocess.run([sys.executable, "-m", "etl.cli", "--log-level", "info", "etl", "run", "curated"],
                              env=env_for(sources), capture_output=True, text=True, timeout=300)
        assert done.returncode == 0, done.stderr
        assert "(replayed," in done.stderr, done.stderr
    builder.join(timeout=120)
    assert "refreshed" in failure["error"]
    assert list(out.parent.iterdir()) == []  # neither the copy nor its temporary file
