#!/usr/bin/env bash
# Installs the validators (pywb, py-wacz) into their own virtualenvs under .validators/.
set -euo pipefail
cd "$(dirname "$0")/../.."
mkdir -p .validators

# pywb (replay). pywb 2.10 installs on Python 3.11 from PyPI as is; it still imports
# pkg_resources, which setuptools 81 removed, hence the setuptools pin. Skipped when the
# pinned version is already installed (a stamp file records it).
PYWB_VERSION=2.10.0
PYWB=.validators/pywb
if [ ! -f "$PYWB/.installed-$PYWB_VERSION" ] || ! "$PYWB/bin/wayback" --version >/dev/null 2>&1; then
    rm -rf "$PYWB"
    "${PYTHON:-python3}" -m venv "$PYWB"
    "$PYWB/bin/python" -m pip install -q --disable-pip-version-check \
        "pywb==$PYWB_VERSION" "setuptools<81"
    touch "$PYWB/.installed-$PYWB_VERSION"
fi
