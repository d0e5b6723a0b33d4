#!/bin/sh
# Runs stand-in $1 (a package under e2e/harness/standins) with the repository's virtualenv; the
# bin/pulumi-resource-* launchers call it. Not itself on PATH: the engine must find only the
# `pulumi-resource-*` names there.
#
# The engine starts plugins with the Pulumi project directory as cwd (possibly a temp copy), so
# the repository is found from this script's own location, through any symlinks.
set -eu
standin=$1
shift
here=$(dirname "$(readlink -f "$0")")
repo=$(cd "$here/../../.." && pwd)
python="$repo/.venv/bin/python"
if [ ! -x "$python" ]; then
  echo "$standin stand-in: no virtualenv at $repo/.venv (run ./bin/test once to create it)" >&2
  exit 1
fi
PYTHONPATH="$repo${PYTHONPATH:+:$PYTHONPATH}" exec "$python" -u -m "e2e.harness.standins.$standin" "$@"
