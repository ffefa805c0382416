#!/usr/bin/env bash
# Fails when a committed diagram image does not match its source.
#
# docs/render.sh writes docs/diagrams/<name>.sha256 with the hashes of everything the image was made
# from (the .dot source, the render script, the icon-inlining script, the pinned icon set) and of the
# images it wrote. This check recomputes those hashes: a source edited without re-rendering, an image
# edited by hand, or a diagram without a record all fail. Content hashes, not file times, so a fresh
# checkout passes. No network, no tools beyond coreutils.
set -euo pipefail

DOCS="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
cd "$DOCS"

status=0
shopt -s nullglob
sources=(diagrams/*.dot diagrams/*.term)
if ((${#sources[@]} == 0)); then
  echo "check-diagrams: no diagram sources under docs/diagrams" >&2
  exit 1
fi
for dot_file in "${sources[@]}"; do
  name="$(basename "${dot_file%.*}")"
  record="diagrams/$name.sha256"
  if [[ ! -f "$record" ]]; then
    echo "check-diagrams: $dot_file has no $record; run docs/render.sh" >&2
    status=1
    continue
  fi
  for expected in "$dot_file" "$name.svg" "$name.png"; do
    if ! grep -q "  $expected\$" "$record"; then
      echo "check-diagrams: $record does not cover $expected; run docs/render.sh" >&2
      status=1
    fi
  done
  if ! failed="$(sha256sum --check --quiet "$record" 2>&1)"; then
    echo "check-diagrams: docs/$name.{svg,png} do not match their source:" >&2
    echo "$failed" | sed 's/^/  /' >&2
    echo "  run docs/render.sh and commit the result" >&2
    status=1
  fi
done
if ((status == 0)); then
  echo "check-diagrams: ${#sources[@]} diagram(s) match their source"
fi
exit "$status"
