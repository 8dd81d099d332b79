#!/usr/bin/env bash
# Sets up everything the test suite needs (virtualenv, validators, services) and runs it.
# The same tests run on SQLite and on PostgreSQL (SOURCEKEEP_TEST_DATABASES selects).
set -euo pipefail
cd "$(dirname "$0")/.."

PY=${PYTHON:-python3}
[ -x .venv/bin/python ] || "$PY" -m venv .venv
.venv/bin/python -m pip install -q --disable-pip-version-check -e '.[test]'

# The field's own validators, each in a virtualenv of its own (they pin old libraries).
bash tests/validators/install.sh

# Local services the suite talks to.
if ! pg_isready -q -h 127.0.0.1 -p 5432 2>/dev/null; then
    pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql)" main start
fi

.venv/bin/ruff check .
exec .venv/bin/python -m pytest -n "${SOURCEKEEP_TEST_WORKERS:-2}" "$@"
