#!/bin/sh
# Builds focusmeter.1 with help2man from the program's own --help and
# version, with each command's --help as a section: the man page cannot
# drift from the options. Usage: make-man.sh FOCUSMETER_EXE OUTPUT VERSION
set -eu
exe=$1
out=$2
version=$3
include=$(mktemp)
trap 'rm -f "$include"' EXIT
for cmd in scan check serve train; do
  printf '[COMMAND: %s]\n' "$(echo "$cmd" | tr a-z A-Z)" >>"$include"
  # help2man reads roff: indent the help text as a literal block.
  printf '.nf\n' >>"$include"
  LC_ALL=C.UTF-8 "$exe" "$cmd" --help-all | sed 's/\\/\\\\/g; s/^\./\\\&./' >>"$include"
  printf '.fi\n' >>"$include"
done
cat >>"$include" <<'MAN'
[SEE ALSO]
README.md, docs/reports.md (report formats and JSON Schemas in schemas/), docs/serve.md.
MAN
LC_ALL=C.UTF-8 help2man --no-info --no-discard-stderr --section=1 \
  --name='tell whether cameras, images and clips are in focus' \
  --version-string="$version" --include="$include" --output="$out" "$exe"
