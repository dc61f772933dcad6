#!/bin/sh
# Builds plotly-basic.min.js (scatter, bar) and plotly-map.min.js (scatter, bar, choroplethmap) from plotly.js on
# npm: the only trace types the dashboard draws. Use the plotly.js version of the installed plotly package
# (python -c "from plotly.offline import get_plotlyjs_version as v; print(v())"). Needs node and npm.
#   sh assets/plotly/build.sh
set -eu
HERE=$(cd "$(dirname "$0")" && pwd)
VERSION=${PLOTLYJS_VERSION:-$(python3 -c "from plotly.offline import get_plotlyjs_version as v; print(v())")}
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
cd "$WORK"
npm init -y >/dev/null
npm install --no-audit --no-fund --silent "plotly.js@$VERSION" esbuild@0.25 esbuild-plugin-inline-css \
    esbuild-plugin-environment
cat > basic.js <<'JS'
var Plotly = require('plotly.js/lib/core');
Plotly.register([require('plotly.js/lib/bar')]);
module.exports = Plotly;
JS
cat > map.js <<'JS'
var Plotly = require('plotly.js/lib/core');
Plotly.register([require('plotly.js/lib/bar'), require('plotly.js/lib/choroplethmap')]);
module.exports = Plotly;
JS
cat > build.js <<'JS'
const esbuild = require('esbuild');
const InlineCSSPlugin = require('esbuild-plugin-inline-css');
const { environmentPlugin } = require('esbuild-plugin-environment');
for (const name of ['basic', 'map']) {
  esbuild.build({
    entryPoints: [`${name}.js`], outfile: `${process.argv[2]}/plotly-${name}.min.js`, format: 'iife',
    globalName: 'Plotly', bundle: true, minify: true, legalComments: 'eof',
    plugins: [InlineCSSPlugin(), environmentPlugin({ NODE_DEBUG: false })],
    alias: { stream: 'stream-browserify' }, define: { global: 'window', 'define.amd': 'false' }, target: 'es2016',
  }).catch(() => process.exit(1));
}
JS
node build.js "$HERE"
echo "built plotly.js $VERSION bundles in $HERE"
