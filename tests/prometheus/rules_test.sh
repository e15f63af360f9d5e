#!/bin/sh
# The Prometheus rules of contrib/prometheus: promtool (Debian package
# prometheus, installed by tools/scripts/install-deps.sh) checks their syntax
# and runs their unit test (rules_test.yml: input series, expected alerts and
# recorded samples). Fails when promtool is missing: an unchecked rule file
# must not pass.
set -eu
source_root="$1"
promtool="${PROMTOOL:-$(command -v promtool || true)}"
if [ -z "$promtool" ]; then
  echo "promtool not found: install the Debian package prometheus (make test does) or set PROMTOOL" >&2
  exit 1
fi
"$promtool" check rules "$source_root/contrib/prometheus/focusmeter.rules.yml"
"$promtool" test rules "$source_root/tests/prometheus/rules_test.yml"
