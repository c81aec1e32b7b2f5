"""`canbao push-registry` and `canbao registry-init`, run as an operator runs them."""
import os
import subprocess
import sys

from registry_support import approve, family, id_number, submit


def run(*args, database_url, registry_url):
    env = dict(os.environ, CANBAO_DATABASE_URL=database_url, CANBAO_REGISTRY_DATABASE_URL=registry_url)
    return subprocess.run([sys.executable, "-m", "app.cli", *args], capture_output=True, text=True,
                          env=env, timeout=120)


def test_push_registry_fails_in_one_line_then_drains(app, database_url, separate_registry):
    engine = app.state.engine
    approve(engine, submit(engine, family(ids=[id_number(1), id_number(2), id_number(3)])))
    urls = {"database_url": database_url, "registry_url": separate_registry.url}

    down = run("push-registry", **urls)
    assert down.returncode == 1 and down.stderr.count("\n") == 1
    assert down.stderr.startswith("canbao: error: registry push failed, 3 people wait")
    assert "0 people from 0 households pushed" in down.stderr

    separate_registry.make_reachable()
    init = run("registry-init", **urls)
    assert init.returncode == 0, init.stderr
    up = run("push-registry", **urls)
    assert up.returncode == 0, up.stderr
    assert "3 people from 1 households pushed, 0 waiting" in up.stderr
    assert "0 people from 0 households pushed" in run("push-registry", **urls).stderr
