// Cell renderers for dash-ag-grid. Text goes in as React children (escaped), never as HTML.
var dagcomponentfuncs = (window.dashAgGridComponentFunctions = window.dashAgGridComponentFunctions || {});

// The figure's document: a link to /documents/<doc_id>#fig-<figure_id>; for a figure without a stored document,
// its report's own address (http/https only) or the dataset's name.
dagcomponentfuncs.DocLink = function (props) {
    var d = props.data;
    if (!d) { return null; }
    var label = d.title || d.doc_id || d.dataset || "";
    if (d.doc_id) {
        var href = "/documents/" + encodeURIComponent(d.doc_id) + "#fig-" + encodeURIComponent(d.figure_id);
        return React.createElement("a", {href: href, title: label}, label);
    }
    // No document: the figure's own record (citation, quoted words, source record), readable offline.
    var record = "/figures?figure=" + encodeURIComponent(d.figure_id);
    return React.createElement("a", {href: record, title: "citation and source record"}, label || "source record");
};
