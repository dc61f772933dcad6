// Keyboard shortcuts on /review: a accept, r reject (not a figure), d reject (duplicate), n next figure.
// Ignored while typing in a form field, and with Ctrl, Alt or Meta held.
(function () {
  var KEYS = {a: "rv-accept", r: "rv-reject", d: "rv-duplicate", n: "rv-next"};
  document.addEventListener("keydown", function (event) {
    if (event.ctrlKey || event.altKey || event.metaKey || !document.getElementById("rv-form")) return;
    var target = event.target;
    var tag = target && target.tagName ? target.tagName.toLowerCase() : "";
    if (tag === "input" || tag === "textarea" || tag === "select" || (target && target.isContentEditable)) return;
    var id = KEYS[event.key];
    var element = id && document.getElementById(id);
    if (!element || element.disabled || element.classList.contains("disabled")) return;
    event.preventDefault();
    element.click();
  });
})();
