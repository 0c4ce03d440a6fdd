#!/usr/bin/env bash
# Builds the DocC documentation of the four library modules (Nabla, NablaNN,
# NablaData, NablaPlot) with swift-docc-plugin, every DocC warning an error, and
# checks that the plugin stays out of the package graph without NABLA_DOCS, so a
# package that depends on Nabla never resolves it. The articles' code runs in
# `swift test` (Tests/DocumentationTests).
#   bash scripts/build-docs.sh     (archives in .build/plugins/Swift-DocC/outputs)
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

start=$SECONDS
NABLA_DOCS=1 swift package generate-documentation --warnings-as-errors \
  --target Nabla --target NablaNN --target NablaData --target NablaPlot

manifest="$(swift package dump-package)"
if [[ $manifest == *swift-docc-plugin* ]]; then
  echo "build-docs: without NABLA_DOCS the package still depends on swift-docc-plugin" >&2
  exit 1
fi
echo "build-docs: 4 archives in .build/plugins/Swift-DocC/outputs, no warnings ($(( SECONDS - start )) s)"
