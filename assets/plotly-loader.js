/* Dash's charts use window.Plotly when it is defined, instead of fetching the full plotly.js (1.5 MB gzipped).
   Every page gets a bundle with only the trace types this app draws (assets/plotly/build.sh): scatter and bar
   (0.4 MB), or, on /regions, also the MapLibre choropleth (0.9 MB). The Regions link loads its page afresh. */
(function () {
  var src = (document.currentScript && document.currentScript.src) || '/assets/plotly-loader.js';
  var dir = src.slice(0, src.lastIndexOf('/') + 1) + 'plotly/';
  var map = /\/regions\/?$/.test(window.location.pathname);
  document.write('<script src="' + dir + 'plotly-' + (map ? 'map' : 'basic') + '.min.js"><\/script>');
})();
