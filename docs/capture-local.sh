#!/usr/bin/env bash
# Takes the screenshot of `./tributary local` that the README shows: runs the command for real in a
# terminal of 120 x 32 characters (tmux), waits until it has stopped, and writes the screen's text to
# docs/diagrams/local-run.term. docs/render.sh draws that text as docs/local-run.svg and .png.
# Needs tmux (apt-get install tmux); takes about two minutes and starts the embedded stack.
set -euo pipefail

DOCS="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(dirname "$DOCS")"
work="$(mktemp -d)"
session="tributary-capture-$$"
command="./tributary local --workdir $work --duration 60"
trap 'tmux kill-session -t "$session" 2>/dev/null || true; rm -rf "$work"' EXIT

# The first build is not part of the picture.
(cd "$ROOT" && ./tributary --help >/dev/null)
tmux new-session -d -s "$session" -x 120 -y 32 \
  "cd '$ROOT' && printf '%s\n' '\$ $command' && $command; echo '[exit]'; sleep 600"
for _ in $(seq 1 600); do
  if tmux capture-pane -p -t "$session" | grep -q '^\[exit\]'; then break; fi
  sleep 1
done
tmux capture-pane -p -t "$session" | grep -v '^\[exit\]' | sed -e 's/[[:space:]]*$//' \
  | sed -e :a -e '/^\n*$/{$d;N;ba' -e '}' >"$DOCS/diagrams/local-run.term"
echo "wrote docs/diagrams/local-run.term; run docs/render.sh to draw it"
