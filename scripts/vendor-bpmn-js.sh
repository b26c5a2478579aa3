#!/usr/bin/env bash
# Copy bpmn-js's NavigatedViewer and Modeler bundles, the CSS and the bpmn font they need and its LICENSE from tests/diagrams/modeler/node_modules
# (the version pinned in tests/diagrams/modeler/package-lock.json, installed by scripts/modeler-deps.sh) into
# web/static/vendor/bpmn-js/, and write the version into the README there. Run it after changing the pin; commit
# the copied files (web/static/vendor/bpmn-js/README.md says how the app uses them).
set -euo pipefail
repo="$(cd "$(dirname "$0")/.." && pwd)"
"$repo/scripts/modeler-deps.sh"
src="$repo/tests/diagrams/modeler/node_modules/bpmn-js"
dst="$repo/web/static/vendor/bpmn-js"
version="$(node -p "require('$src/package.json').version")"
mkdir -p "$dst"
cp "$src/dist/bpmn-navigated-viewer.production.min.js" "$src/dist/bpmn-modeler.production.min.js" "$dst/"
mkdir -p "$dst/bpmn-font/css" "$dst/bpmn-font/font"
cp "$src/dist/assets/bpmn-font/css/bpmn.css" "$dst/bpmn-font/css/"
cp "$src/dist/assets/bpmn-font/font/bpmn.woff2" "$src/dist/assets/bpmn-font/font/bpmn.woff" "$dst/bpmn-font/font/"
cp "$src/dist/assets/diagram-js.css" "$src/dist/assets/bpmn-js.css" "$dst/"
cp "$src/LICENSE" "$dst/LICENSE"
sed -i "s/^Version: .*/Version: $version/" "$dst/README.md"
head -c 120 "$dst/bpmn-navigated-viewer.production.min.js" | grep -q "v$version" \
  || { echo "vendor-bpmn-js: the bundle's banner does not say v$version" >&2; exit 1; }
echo "vendor-bpmn-js: bpmn-js $version copied to ${dst#"$repo"/}"
du -b "$dst"/*.js "$dst"/*.css
