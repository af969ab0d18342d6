// Loaded between RequireJS and the widget manager (embed-amd.js) on pages with saved widgets;
// see nb_ipywidgets_js in _config.yml.
(function () {
  // The widget manager loads its fonts from beside its own module, whose address RequireJS derives
  // from the module name: map that name to the folder the book ships it in (_static/vendor/html-manager).
  var here = document.currentScript && document.currentScript.src;
  if (here && window.require && window.require.config) {
    var staticDir = here.slice(0, here.lastIndexOf("/") + 1);
    window.require.config({paths: {"@jupyter-widgets/html-manager/dist": staticDir + "vendor/html-manager"}});
  }
  // The widgets typeset LaTeX with MathJax 2's `MathJax.Hub.Queue`; the book runs MathJax 3, which has
  // no Hub. MathJax (deferred) has replaced its configuration object by the time DOMContentLoaded fires,
  // and the widgets render after that: give MathJax 3 a Hub that typesets the element it is handed.
  document.addEventListener("DOMContentLoaded", function () {
    var mathjax = window.MathJax;
    if (!mathjax || mathjax.Hub) return;
    mathjax.Hub = {
      Queue: function (job) {
        var element = job && job[2];
        var ready = (mathjax.startup && mathjax.startup.promise) || Promise.resolve();
        ready.then(function () {
          if (mathjax.typesetPromise) return mathjax.typesetPromise(element ? [element] : undefined);
        });
      }
    };
  });
})();
