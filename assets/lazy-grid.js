/* Stands in for dash-ag-grid (0.36 MB gzipped) until a page draws a grid: only then is its script fetched (the URL
   is in <meta name="dash-ag-grid-src">, dashboard/weight.py), so pages without a grid never download it. Until it
   has arrived Dash holds the grid's callbacks (_dashprivate_isLazyComponentReady, as for Dash's own lazy parts). */
(function () {
  var meta = document.querySelector('meta[name="dash-ag-grid-src"]');
  if (window.dash_ag_grid || !meta || !window.React) { return; }  // the real script is already on the page
  var React = window.React, real = null, loading = null, stub = {};

  function prefix() {
    var config = document.getElementById('_dash-config');
    try { return JSON.parse(config.textContent).requests_pathname_prefix || '/'; } catch (e) { return '/'; }
  }

  function load() {
    if (!loading) {
      loading = new Promise(function (resolve, reject) {
        var script = document.createElement('script');
        script.src = prefix() + meta.content;
        script.onload = function () {
          real = window.dash_ag_grid;
          window.dash_ag_grid = stub;  // keep the stand-in: Dash resolves components by name on every render
          Object.keys(real).forEach(function (k) { if (k !== 'AgGrid') { stub[k] = real[k]; } });
          ['dashPersistence', 'propTypes'].forEach(function (k) { AgGrid[k] = real.AgGrid[k]; });
          resolve(true);
        };
        script.onerror = function () { loading = null; reject(new Error('dash-ag-grid did not load')); };
        document.head.appendChild(script);
      });
    }
    return loading;
  }

  function AgGrid(props) {
    var state = React.useState(real), ready = state[0], setReady = state[1];
    React.useEffect(function () {
      if (!ready) { load().then(function () { setReady(real); }); }
    }, []);
    return ready ? React.createElement(ready.AgGrid, props) : null;
  }
  AgGrid.dashRenderType = true;  // as the real grid: Dash passes it the render type
  Object.defineProperty(AgGrid, '_dashprivate_isLazyComponentReady', {
    get: function () { return real ? true : load(); }
  });
  stub.AgGrid = AgGrid;
  window.dash_ag_grid = stub;
})();
