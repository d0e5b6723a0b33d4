# Sourced by bin/test: actionlint, the GitHub Actions workflow linter, built once from the Go
# module proxy into the project's cache (PyPI's wrappers download release binaries, which these
# machines cannot fetch), keyed by its pinned version; shellcheck (Debian's package), which it
# runs on every `run:` script, installed once where apt-get can. Prints what it does; a cached
# tool is said once.
ACTIONLINT_VERSION="v1.7.12"
ACTIONLINT_DIR="${OPENCLAW_CRON_WEBHOOK_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/openclaw-cron-webhook}/actionlint-$ACTIONLINT_VERSION"
ACTIONLINT="$ACTIONLINT_DIR/bin/actionlint"
if [ -x "$ACTIONLINT" ]; then
  echo "actionlint $ACTIONLINT_VERSION: cached at $ACTIONLINT_DIR" >&2
else
  echo "building actionlint $ACTIONLINT_VERSION with go (~25 s, once per version) ..." >&2
  GOBIN="$ACTIONLINT_DIR/bin" GOMODCACHE="$ACTIONLINT_DIR/mod" GOCACHE="$ACTIONLINT_DIR/build" \
    GOFLAGS=-modcacherw go install "github.com/rhysd/actionlint/cmd/actionlint@$ACTIONLINT_VERSION" >&2
  rm -rf "$ACTIONLINT_DIR/mod" "$ACTIONLINT_DIR/build"  # only the binary is needed again
fi
if ! command -v shellcheck > /dev/null && [ "$(id -u)" = 0 ] && command -v apt-get > /dev/null; then
  echo "installing shellcheck from Debian for actionlint's run: checks (~30 s, once) ..." >&2
  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq shellcheck) >&2
fi
