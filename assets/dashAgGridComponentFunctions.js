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
    if (typeof d.url === "string" && /^https?:\/\//i.test(d.url)) {
        return React.createElement("a", {href: d.url, title: d.url, target: "_blank", rel: "noopener noreferrer nofollow"},
                                   label || d.url);
    }
    return React.createElement("span", {className: "text-muted"}, label);
};
