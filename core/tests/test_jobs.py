"""The background job framework: chunks, resume after a crash, idempotence, the lock, the run
record, the task, the command and the beat schedule. Runs on SQLite and PostgreSQL."""

import subprocess
import sys
from contextlib import contextmanager
from datetime import timedelta

import pytest
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from core import jobs
from core.models import JobRun, Team
from core.tasks import run_job as run_job_task

pytestmark = pytest.mark.django_db


class Boom(Exception):
    """A crash in the middle of a chunk."""


class ListJob(jobs.Job):
    """Keys 1..10 from memory; remembers what it processed and can be told to crash."""

    name = "test.list"
    chunk_size = 3
    scheduled = False
    items = list(range(1, 11))
    processed: list = []
    fail_on: set = set()
    invalid: set = set()

    def keys(self, *, after, limit):
        return [k for k in self.items if after is None or k > after][:limit]

    def process_one(self, key) -> bool:
        if key in self.fail_on:
            raise Boom("Chen Yi-jun, +886 912 345 678")  # a message that must not be kept
        if key in self.invalid:
            raise ValidationError("bad row")
        self.processed.append(key)
        return key % 2 == 0


class UpperTeamsJob(jobs.ModelJob):
    """Writes: upper-cases team names. Idempotent; can crash on one team."""

    name = "test.upper_teams"
    chunk_size = 2
    scheduled = False
    fail_on_name = ""

    def queryset(self):
        return Team.objects.all()

    def process_one(self, key) -> bool:
        team = Team.objects.select_for_update().get(pk=key)
        if team.name == self.fail_on_name:
            raise Boom(team.name)
        if team.name == team.name.upper():
            return False
        team.name = team.name.upper()
        team.save(update_fields=["name"])
        return True


@pytest.fixture(autouse=True)
def test_jobs(settings, tmp_path):
    settings.JOB_LOCK_DIR = str(tmp_path / "locks")
    ListJob.processed = []
    ListJob.fail_on = set()
    ListJob.invalid = set()
    UpperTeamsJob.fail_on_name = ""
    jobs.register(ListJob)
    jobs.register(UpperTeamsJob)
    yield
    jobs.unregister(ListJob.name)
    jobs.unregister(UpperTeamsJob.name)


def run(name=ListJob.name, **kwargs) -> JobRun:
    return jobs.run_job(name, triggered_by=JobRun.Trigger.COMMAND, **kwargs)


@pytest.fixture
def teams():
    return [Team.objects.create(name=f"team {n}") for n in range(5)]


# --- chunks and the run record ---------------------------------------------------------------


def test_a_run_walks_every_key_in_chunks_and_records_what_it_did():
    record = run()
    assert ListJob.processed == list(range(1, 11))
    record.refresh_from_db()
    assert record.status == JobRun.Status.SUCCEEDED
    assert record.chunks_done == 4  # 3 + 3 + 3 + 1
    assert record.cursor == 10
    assert record.counts == {"seen": 10, "changed": 5, "skipped": 5, "errors": 0}
    assert record.triggered_by == JobRun.Trigger.COMMAND
    assert record.finished_at >= record.started_at
    assert record.duration == record.finished_at - record.started_at
    assert record.error_summary == ""
    assert record.resumed_from is None


def test_a_model_job_pages_by_key_never_by_offset(teams):
    with CaptureQueriesContext(connection) as queries:
        run(UpperTeamsJob.name)
    selects = [
        q["sql"]
        for q in queries.captured_queries
        if q["sql"].startswith('SELECT "core_team"."id" AS "pk"')
    ]
    assert len(selects) == 4  # three chunks of 2, 2, 1 and the empty read that ends the run
    assert all("OFFSET" not in sql.upper() for sql in selects)
    assert all("LIMIT 2" in sql.upper() for sql in selects)
    assert sum('"core_team"."id" >' in sql for sql in selects) == 3


def test_a_key_that_fails_validation_is_counted_as_an_error_and_the_run_goes_on():
    ListJob.invalid = {4}
    record = run()
    assert record.status == JobRun.Status.SUCCEEDED
    assert record.counts["errors"] == 1
    assert record.counts["seen"] == 10
    assert 4 not in ListJob.processed
    assert ListJob.processed[-1] == 10


# --- crash and resume ------------------------------------------------------------------------


def test_a_crash_fails_the_run_and_keeps_the_cursor_of_the_last_committed_chunk():
    ListJob.fail_on = {8}
    with pytest.raises(Boom):
        run()
    record = JobRun.objects.get()
    assert record.status == JobRun.Status.FAILED
    assert record.cursor == 6  # chunks 1-3 and 4-6 committed; 7-9 died
    assert record.chunks_done == 2
    assert record.counts["seen"] == 6
    assert record.finished_at is not None
    assert record.error_summary.startswith("core.tests.test_jobs.Boom at test_jobs.py:")
    assert "Chen" not in record.error_summary
    assert "886" not in record.error_summary


def test_the_next_run_resumes_after_the_cursor_and_does_not_redo_finished_chunks():
    ListJob.fail_on = {8}
    with pytest.raises(Boom):
        run()
    failed = JobRun.objects.get()
    ListJob.fail_on = set()
    ListJob.processed = []
    resumed = run()
    assert ListJob.processed == [7, 8, 9, 10]
    assert resumed.status == JobRun.Status.SUCCEEDED
    assert resumed.resumed_from == failed
    assert resumed.counts["seen"] == 4
    assert resumed.cursor == 10
    # The run after a finished one starts from the beginning again.
    ListJob.processed = []
    fresh = run()
    assert fresh.resumed_from is None
    assert ListJob.processed == list(range(1, 11))


def test_a_crash_rolls_back_the_whole_chunk_it_was_in(teams):
    UpperTeamsJob.fail_on_name = "team 3"  # the second key of the second chunk
    with pytest.raises(Boom):
        run(UpperTeamsJob.name)
    names = list(Team.objects.order_by("pk").values_list("name", flat=True))
    assert names == ["TEAM 0", "TEAM 1", "team 2", "team 3", "team 4"]
    assert JobRun.objects.get().cursor == teams[1].pk
    UpperTeamsJob.fail_on_name = ""
    record = run(UpperTeamsJob.name)
    assert record.counts == {"seen": 3, "changed": 3, "skipped": 0, "errors": 0}
    assert set(Team.objects.values_list("name", flat=True)) == {f"TEAM {n}" for n in range(5)}


def test_a_run_whose_worker_died_is_marked_interrupted_and_resumed():
    # A killed worker leaves its row "running" with the cursor of its last chunk; its lock
    # died with it.
    dead = JobRun.objects.create(
        job_name=ListJob.name,
        status=JobRun.Status.RUNNING,
        triggered_by=JobRun.Trigger.BEAT,
        started_at=timezone.now() - timedelta(hours=1),
        cursor=3,
        chunks_done=1,
        counts={"seen": 3, "changed": 1, "skipped": 2, "errors": 0},
    )
    record = run()
    dead.refresh_from_db()
    assert dead.status == JobRun.Status.INTERRUPTED
    assert dead.finished_at == dead.updated_at
    assert record.resumed_from == dead
    assert ListJob.processed == list(range(4, 11))


def test_from_start_ignores_an_unfinished_runs_cursor():
    ListJob.fail_on = {5}
    with pytest.raises(Boom):
        run()
    ListJob.fail_on = set()
    ListJob.processed = []
    record = run(from_start=True)
    assert record.resumed_from is None
    assert ListJob.processed == list(range(1, 11))


# --- idempotence -----------------------------------------------------------------------------


def test_running_a_job_twice_changes_nothing_the_second_time(teams):
    first = run(UpperTeamsJob.name)
    second = run(UpperTeamsJob.name)
    assert first.counts == {"seen": 5, "changed": 5, "skipped": 0, "errors": 0}
    assert second.counts == {"seen": 5, "changed": 0, "skipped": 5, "errors": 0}
    assert JobRun.objects.filter(status=JobRun.Status.SUCCEEDED).count() == 2


# --- the lock --------------------------------------------------------------------------------


def test_the_lock_keys_differ_per_job_and_stay_stable():
    assert jobs.lock_key("a.job") == jobs.lock_key("a.job")
    assert jobs.lock_key("a.job") != jobs.lock_key("b.job")
    namespace, key = jobs.lock_key("a.job")
    assert namespace == jobs.LOCK_NAMESPACE
    assert -(2**31) <= key < 2**31


def test_a_run_refuses_to_start_while_another_holds_the_lock():
    """The second run is refused at once and records nothing."""
    seen_inside = []

    class Reentrant(ListJob):
        def process_one(self, key):
            if not seen_inside:
                with pytest.raises(jobs.JobAlreadyRunning), jobs.job_lock(ListJob.name):
                    pass
                seen_inside.append(key)
            return True

    if connection.vendor == "postgresql":
        pytest.skip("advisory locks are re-entrant within one session; see the tests below")
    Reentrant().run(triggered_by=JobRun.Trigger.COMMAND)
    assert seen_inside == [1]
    assert JobRun.objects.count() == 1


HOLD_FLOCK = """
import fcntl, sys, time
handle = open(sys.argv[1], "a")
fcntl.flock(handle, fcntl.LOCK_EX)
print("locked", flush=True)
time.sleep(60)
"""


def test_the_file_lock_refuses_a_second_run_and_dies_with_its_process():
    if connection.vendor == "postgresql":
        pytest.skip("PostgreSQL uses advisory locks")
    path = jobs.lock_path(ListJob.name)
    path.parent.mkdir(parents=True, exist_ok=True)
    holder = subprocess.Popen(
        [sys.executable, "-c", HOLD_FLOCK, str(path)], stdout=subprocess.PIPE, text=True
    )
    try:
        assert holder.stdout.readline().strip() == "locked"
        with pytest.raises(jobs.JobAlreadyRunning):
            run()
        assert not JobRun.objects.exists()
        assert ListJob.processed == []
    finally:
        holder.kill()
        holder.wait()
    assert run().status == JobRun.Status.SUCCEEDED


def test_the_file_lock_lives_under_var_dir_by_default(settings):
    del settings.JOB_LOCK_DIR
    assert jobs.lock_path("compliance.expire_consents").parent == settings.VAR_DIR / "locks"
    assert jobs.lock_path("a/b c").name == "job-a_b_c.lock"


def _other_connection():
    """A second PostgreSQL session, as another worker would have."""
    other = connection.get_new_connection(connection.get_connection_params())
    other.autocommit = True
    return other


def _try_lock(other, name: str) -> bool:
    with other.cursor() as cursor:
        cursor.execute("SELECT pg_try_advisory_lock(%s, %s)", jobs.lock_key(name))
        return cursor.fetchone()[0]


def test_the_advisory_lock_refuses_a_second_run_and_dies_with_its_connection():
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL")
    other = _other_connection()
    try:
        assert _try_lock(other, ListJob.name) is True
        with pytest.raises(jobs.JobAlreadyRunning):
            run()
        assert not JobRun.objects.exists()
        # Another job's lock is another key: it runs.
        assert run(UpperTeamsJob.name).status == JobRun.Status.SUCCEEDED
    finally:
        other.close()  # the holder dies: the server drops its session locks
    assert run().status == JobRun.Status.SUCCEEDED


def test_the_advisory_lock_is_held_during_the_run_and_released_after():
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL")
    other = _other_connection()
    answers = []

    class Probe(ListJob):
        def process_one(self, key):
            if not answers:
                answers.append(_try_lock(other, ListJob.name))
            return True

    try:
        Probe().run(triggered_by=JobRun.Trigger.COMMAND)
        assert answers == [False]
        assert _try_lock(other, ListJob.name) is True
    finally:
        other.close()


# --- the registry ----------------------------------------------------------------------------


def test_an_unknown_job_name_is_refused():
    with pytest.raises(jobs.UnknownJob):
        jobs.get("no.such.job")


def test_two_jobs_cannot_share_a_name():
    class Impostor(ListJob):
        pass

    with pytest.raises(ValueError, match="two jobs"):
        jobs.register(Impostor)
    assert jobs.get(ListJob.name) is ListJob


def test_every_scheduled_job_is_in_beat_and_every_beat_job_is_registered():
    beat = {
        entry["args"][0]
        for entry in settings.CELERY_BEAT_SCHEDULE.values()
        if entry["task"] == "core.tasks.run_job"
    }
    scheduled = {job.name for job in jobs.registered() if job.scheduled}
    assert scheduled <= beat
    assert beat <= {job.name for job in jobs.registered()}


# --- the task --------------------------------------------------------------------------------


def test_the_task_acknowledges_late_and_is_redelivered_if_its_worker_dies():
    assert run_job_task.acks_late is True
    assert run_job_task.reject_on_worker_lost is True


def test_the_task_runs_the_job_and_records_the_trigger(rm_user):
    run_job_task.delay(ListJob.name, triggered_by="user", requested_by_id=rm_user.pk)
    record = JobRun.objects.get()
    assert record.status == JobRun.Status.SUCCEEDED
    assert record.triggered_by == JobRun.Trigger.USER
    assert record.requested_by == rm_user


@contextmanager
def held_elsewhere(name: str):
    """The job's lock, held as another worker would hold it."""
    if connection.vendor != "postgresql":
        # A second open file description: flock treats it as another holder.
        with jobs.job_lock(name):
            yield
        return
    other = _other_connection()
    try:
        assert _try_lock(other, name) is True
        yield
    finally:
        other.close()


def test_the_task_does_nothing_while_the_job_runs_elsewhere():
    with held_elsewhere(ListJob.name):
        assert run_job_task.delay(ListJob.name).get() == "already running"
    assert not JobRun.objects.exists()


# --- the command -----------------------------------------------------------------------------


def test_the_command_runs_a_job_now_and_says_what_it_did(capsys):
    call_command("run_job", ListJob.name)
    out = capsys.readouterr().out
    assert "test.list succeeded: 10 seen, 5 changed, 5 skipped, 0 errors in 4 chunks" in out
    assert JobRun.objects.get().triggered_by == JobRun.Trigger.COMMAND


def test_the_command_lists_the_jobs_with_their_last_run(capsys):
    run()
    call_command("run_job", "--list")
    out = capsys.readouterr().out
    assert "test.list\tlast run" in out
    assert "succeeded" in out
    assert "test.upper_teams\tnever run" in out


def test_the_command_refuses_an_unknown_job():
    with pytest.raises(CommandError, match="No job is named"):
        call_command("run_job", "no.such.job")


def test_the_command_reports_a_failure_without_its_message():
    ListJob.fail_on = {2}
    with pytest.raises(CommandError) as raised:
        call_command("run_job", ListJob.name)
    assert "Boom" in str(raised.value)
    assert "Chen" not in str(raised.value)
    assert JobRun.objects.get().status == JobRun.Status.FAILED


def test_the_command_refuses_while_the_job_runs_elsewhere():
    with held_elsewhere(ListJob.name), pytest.raises(CommandError, match="already running"):
        call_command("run_job", ListJob.name)
