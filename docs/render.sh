#!/usr/bin/env bash
# Renders the diagrams: docs/diagrams/<name>.dot -> docs/<name>.svg and docs/<name>.png,
# and records the hashes that docs/check-diagrams.sh compares.
#
# Tools: Graphviz (dot), librsvg (rsvg-convert), Liberation fonts (Arial metrics) from Debian
# packages, and the AWS architecture icon set from the npm package pinned in
# docs/diagrams/package-lock.json. Missing tools are installed (apt-get when running as root);
# the icons are unpacked into a cache outside version control.
set -euo pipefail

DOCS="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
SRC="$DOCS/diagrams"
CACHE="${TRIBUTARY_DIAGRAM_CACHE:-$DOCS/target/diagram-tools}"
ICONS="$CACHE/icons"

install_debian_packages() {
  local missing=()
  command -v dot >/dev/null 2>&1 || missing+=(graphviz)
  command -v rsvg-convert >/dev/null 2>&1 || missing+=(librsvg2-bin)
  [[ -n "$(fc-list 'Liberation Sans' 2>/dev/null)" ]] || missing+=(fonts-liberation2)
  command -v npm >/dev/null 2>&1 || missing+=(npm)
  if ((${#missing[@]} == 0)); then return; fi
  if [[ $(id -u) -ne 0 ]]; then
    echo "render.sh: missing ${missing[*]}; install them with: sudo apt-get install -y ${missing[*]}" >&2
    exit 1
  fi
  echo "render.sh: installing ${missing[*]}" >&2
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
}

# Unpacks the pinned icon set once, and gives every icon an explicit 48x48 size (group icons 28x28)
# so that Graphviz can lay them out; icons keep their official artwork and colours.
prepare_icons() {
  local stamp="$ICONS/.lock-sha256"
  local want
  want="$(sha256sum "$SRC/package-lock.json" | cut -d' ' -f1)"
  if [[ -f "$stamp" && "$(cat "$stamp")" == "$want" ]]; then return; fi
  rm -rf "$CACHE/npm" "$ICONS"
  mkdir -p "$CACHE/npm" "$ICONS"/{svc,res,grp}
  cp "$SRC/package.json" "$SRC/package-lock.json" "$CACHE/npm/"
  (cd "$CACHE/npm" && npm ci --ignore-scripts --no-audit --no-fund --loglevel=error >/dev/null)
  local set="$CACHE/npm/node_modules/aws-icons/icons"
  sized_copies "$set/architecture-service" "$ICONS/svc" 48
  sized_copies "$set/resource" "$ICONS/res" 48
  sized_copies "$set/architecture-group" "$ICONS/grp" 28
  echo "$want" >"$stamp"
}

# Copies every icon of a folder with an XML declaration and width/height (Graphviz reads both).
sized_copies() {
  local from="$1" to="$2" size="$3" f
  for f in "$from"/*.svg; do
    { echo '<?xml version="1.0" encoding="UTF-8"?>'
      sed "s/<svg /<svg width=\"$size\" height=\"$size\" /" "$f"; } >"$to/$(basename "$f")"
  done
}

# The state machines' drawings are made from their definitions (infra/stepfunctions/*.asl.json) into
# docs/diagrams/<machine>-state-machine.dot first; their records also hold the definition's hash.
draw_state_machines() {
  local asl machine
  for asl in "$DOCS"/../infra/stepfunctions/*.asl.json; do
    machine="$(basename "$asl" .asl.json)"
    node "$SRC/asl-to-dot.js" "$asl" "$SRC/$machine-state-machine.dot" \
      "The $machine state machine (infra/stepfunctions/$machine.asl.json)"
  done
}

render() {
  local name="$1" work="$CACHE/work" inputs=()
  if [[ "$name" == *-state-machine ]]; then
    inputs=(diagrams/asl-to-dot.js "../infra/stepfunctions/${name%-state-machine}.asl.json")
  fi
  mkdir -p "$work"
  (cd "$ICONS" && dot -Tsvg "$SRC/$name.dot" -o "$work/$name.svg")
  node "$SRC/inline-images.js" "$work/$name.svg" "$DOCS/$name.svg" "$ICONS"
  rsvg-convert --format=png --zoom="${TRIBUTARY_DIAGRAM_ZOOM:-1.5}" --background-color=white \
    "$DOCS/$name.svg" -o "$DOCS/$name.png"
  (cd "$DOCS" && sha256sum "diagrams/$name.dot" render.sh diagrams/inline-images.js \
    diagrams/package-lock.json "${inputs[@]}" "$name.svg" "$name.png") >"$SRC/$name.sha256"
  echo "rendered docs/$name.svg and docs/$name.png"
}

# A captured terminal screen (docs/diagrams/<name>.term, taken by docs/capture-local.sh) drawn as a
# terminal window.
render_terminal() {
  local name="$1"
  node "$SRC/terminal-to-svg.js" "$SRC/$name.term" "$DOCS/$name.svg"
  rsvg-convert --format=png --zoom="${TRIBUTARY_DIAGRAM_ZOOM:-1.5}" "$DOCS/$name.svg" -o "$DOCS/$name.png"
  (cd "$DOCS" && sha256sum "diagrams/$name.term" render.sh diagrams/terminal-to-svg.js \
    "$name.svg" "$name.png") >"$SRC/$name.sha256"
  echo "rendered docs/$name.svg and docs/$name.png"
}

install_debian_packages
prepare_icons
draw_state_machines
export LC_ALL=C.UTF-8 SOURCE_DATE_EPOCH=0
for dot_file in "$SRC"/*.dot; do
  render "$(basename "$dot_file" .dot)"
done
for term_file in "$SRC"/*.term; do
  [[ -e "$term_file" ]] || continue
  render_terminal "$(basename "$term_file" .term)"
done
