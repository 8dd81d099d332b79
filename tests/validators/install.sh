#!/usr/bin/env bash
# Installs the validators (pywb, py-wacz) into their own virtualenvs under .validators/.
set -euo pipefail
cd "$(dirname "$0")/../.."
mkdir -p .validators
