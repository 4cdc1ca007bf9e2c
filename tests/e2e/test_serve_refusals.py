"""`coproduce serve` refuses in one line, and exits, what it cannot serve: an address it cannot listen at
(instead of gunicorn starting workers again for ever), and a store that is not there (a mistyped path,
instead of a new, empty store with new keys)."""

from __future__ import annotations

import subprocess

from tests.processes import COPRODUCE, environment, made_if_missing


def _serve(env: dict[str, str], *arguments: str) -> subprocess.CompletedProcess:
    return subprocess.run([COPRODUCE, "serve", *arguments], env=env, capture_output=True, text=True, timeout=60)


def test_an_address_that_cannot_be_listened_at_is_refused_in_one_line(tmp_path):
    env = environment(f"sqlite:///{tmp_path}/served.db")
    made_if_missing(env)
    for host, says in (("nohost.invalid", "the host name does not resolve"),
                       ("192.0.2.1", "Cannot assign requested address")):  # TEST-NET-1: on no host here
        served = _serve(env, "--host", host, "--port", "8654")
        said = served.stderr.strip()
        assert served.returncode == 1, served.stdout + said
        assert said.startswith(f"Refused: cannot listen at {host}:8654: ") and says in said, said
        assert len(said.splitlines()) == 1 and "Traceback" not in said + served.stdout


def test_a_store_that_is_not_there_is_refused_not_served(tmp_path):
    served = _serve(environment(f"sqlite:///{tmp_path}/typo/coproduce.db"), "--port", "8657")
    assert served.returncode == 1
    assert served.stderr.strip() == (f"Error: there is no store at {tmp_path}/typo/coproduce.db: check "
                                     "COPRODUCE_DATABASE_URL, or make one with `coproduce init`. Nothing was done")
    assert not (tmp_path / "typo").exists()  # no folder, no store, no keys
