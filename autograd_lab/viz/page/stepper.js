/* Step through a recorded backward pass on the graph Graphviz laid out once.
 *
 * Reads the inline JSON block #agl-steps (what each step says and marks, worked out in Python
 * by render_html.py); #agl-capture beside it is the whole model, as `--format json` writes
 * it, for whoever reads the page's data.
 * Step k (0..steps) of a graph: the function that ran k-th is marked current, the edges it
 * received its gradient on and those it sent gradients along are marked, the functions that
 * ran before it are dimmed as done, and the panel says it in words with the `.grad` of the
 * leaves so far. Step 0 is "before backward". No network, no library: plain DOM.
 */
(function () {
  "use strict";

  var root = document.getElementById("agl-page");
  var data = JSON.parse(document.getElementById("agl-steps").textContent);
  var figure = document.getElementById("agl-figure");
  var $ = function (id) { return document.getElementById(id); };

  /* Graphviz gives each <g> the id of its DOT node, edge or cluster (render_dot writes
   * g{i}_{node}, g{i}_e{k}, g{i}). */
  var graphs = data.graphs.map(function (g, i) {
    var nodes = {};
    g.node_ids.forEach(function (id) {
      var el = document.getElementById("g" + i + "_" + id);
      if (el) { nodes[id] = el; }
    });
    var edges = g.edge_count ? new Array(g.edge_count) : [];
    for (var k = 0; k < g.edge_count; k++) { edges[k] = document.getElementById("g" + i + "_e" + k); }
    return { spec: g, nodes: nodes, edges: edges, step: 0, marked: [],
             cluster: document.getElementById("g" + i) };
  });
  var current = 0;

  function mark(state, el, cls) {
    if (el) { el.classList.add(cls); state.marked.push([el, cls]); }
  }
  function clear(state) {
    state.marked.forEach(function (m) { m[0].classList.remove(m[1]); });
    state.marked = [];
  }

  function statusText(g, k) {
    var spec = g.spec;
    var text;
    if (k === 0) {
      text = spec.start;
    } else {
      var id = spec.order[k];
      text = id ? spec.at[id].text
        : "step " + k + " of " + spec.steps + ": " + spec.hidden_text;
    }
    if (k === spec.steps && spec.steps > 0) { text += "\n" + spec.end; }
    return text;
  }

  function showGrads(g, k) {
    var body = $("agl-grads");
    while (body.firstChild) { body.removeChild(body.firstChild); }
    g.spec.grads.forEach(function (entry) {
      var written = entry.step !== null && k >= entry.step;
      var row = document.createElement("tr");
      row.setAttribute("data-node", entry.id);
      if (entry.step !== null && k === entry.step) { row.className = "agl-changed"; }
      var name = document.createElement("td");
      name.className = "agl-name";
      name.textContent = entry.name + ".grad";
      var value = document.createElement("td");
      value.className = "agl-value";
      value.textContent = written ? entry.after : entry.before;
      row.appendChild(name);
      row.appendChild(value);
      body.appendChild(row);
    });
    if (!g.spec.grads.length) {
      var empty = document.createElement("tr");
      var cell = document.createElement("td");
      cell.textContent = "no leaf in this graph has a .grad";
      empty.appendChild(cell);
      body.appendChild(empty);
    }
  }

  function show(index, k) {
    var g = graphs[index];
    var spec = g.spec;
    k = Math.max(0, Math.min(spec.steps, k | 0));
    g.step = k;
    clear(g);
    for (var j = 1; j < k; j++) {
      if (spec.order[j]) { mark(g, g.nodes[spec.order[j]], "agl-done"); }
    }
    var id = k > 0 ? spec.order[k] : null;
    if (id) {
      var at = spec.at[id];
      mark(g, g.nodes[id], "agl-current");
      at.received.forEach(function (e) { mark(g, g.edges[e], "agl-received"); });
      at.sent.forEach(function (e) { mark(g, g.edges[e], "agl-sent"); });
      at.targets.forEach(function (t) { mark(g, g.nodes[t], "agl-target"); });
      if (g.nodes[id]) { reveal(g.nodes[id], true); }
    }
    $("agl-status").textContent = statusText(g, k);
    $("agl-status").setAttribute("data-step", String(k));
    $("agl-status").setAttribute("data-node", id || "");
    $("agl-counter").textContent = spec.steps
      ? "step " + k + " of " + spec.steps : "nothing to step through";
    var slider = $("agl-slider");
    slider.max = String(spec.steps);
    slider.value = String(k);
    slider.disabled = spec.steps === 0;
    $("agl-first").disabled = $("agl-prev").disabled = k === 0;
    $("agl-next").disabled = $("agl-last").disabled = k === spec.steps;
    showGrads(g, k);
    root.setAttribute("data-graph", String(index));
    root.setAttribute("data-step", String(k));
  }

  /* Scroll the picture (only the picture: never the page, nor a notebook around its
   * iframe, as scrollIntoView would) so that el is in view: centred, or at the top left. */
  function reveal(el, centre) {
    var box = el.getBoundingClientRect();
    var view = figure.getBoundingClientRect();
    if (box.top >= view.top && box.bottom <= view.bottom && box.left >= view.left
        && box.right <= view.right) { return; }
    if (centre) {
      figure.scrollTop += (box.top + box.bottom - view.top - view.bottom) / 2;
      figure.scrollLeft += (box.left + box.right - view.left - view.right) / 2;
    } else {
      figure.scrollTop += box.top - view.top;
      figure.scrollLeft += box.left - view.left;
    }
  }

  function choose(index) {
    current = index;
    var spec = graphs[index].spec;
    // Graphviz draws a cluster's nodes beside its box, not inside its <g>: fade each.
    graphs.forEach(function (g, i) {
      var other = i !== index;
      if (g.cluster) { g.cluster.classList.toggle("agl-other", other); }
      Object.keys(g.nodes).forEach(function (id) { g.nodes[id].classList.toggle("agl-other", other); });
      g.edges.forEach(function (el) { if (el) { el.classList.toggle("agl-other", other); } });
    });
    // Cause marks belong to a failed graph for as long as the page is open.
    $("agl-about").textContent = spec.about;
    $("agl-failed").hidden = !spec.failed;
    $("agl-error").textContent = spec.error;
    $("agl-advice").textContent = spec.advice;
    $("agl-causes").textContent = spec.causes_text;
    $("agl-graph").value = String(index);
    show(index, graphs[index].step);
    if (graphs.length > 1 && graphs[index].cluster) { reveal(graphs[index].cluster, false); }
  }

  graphs.forEach(function (g, i) {
    g.spec.causes.forEach(function (id) { if (g.nodes[id]) { g.nodes[id].classList.add("agl-cause"); } });
    var option = document.createElement("option");
    option.value = String(i);
    option.textContent = g.spec.label;
    $("agl-graph").appendChild(option);
  });
  $("agl-graph-choice").hidden = graphs.length < 2;

  function go(k) { show(current, k); }
  $("agl-first").addEventListener("click", function () { go(0); });
  $("agl-prev").addEventListener("click", function () { go(graphs[current].step - 1); });
  $("agl-next").addEventListener("click", function () { go(graphs[current].step + 1); });
  $("agl-last").addEventListener("click", function () { go(graphs[current].spec.steps); });
  $("agl-slider").addEventListener("input", function (event) { go(+event.target.value); });
  $("agl-graph").addEventListener("change", function (event) { choose(+event.target.value); });
  document.addEventListener("keydown", function (event) {
    var target = event.target;
    var tag = target && target.tagName ? target.tagName.toLowerCase() : "";
    // The slider and the selector handle their own arrow keys.
    if (!graphs.length || tag === "input" || tag === "select" || tag === "textarea"
        || event.altKey || event.ctrlKey || event.metaKey) { return; }
    var step = graphs[current].step;
    // Up and down keep scrolling the picture.
    var moves = { ArrowRight: step + 1, ArrowLeft: step - 1, Home: 0,
                  End: graphs[current].spec.steps };
    if (Object.prototype.hasOwnProperty.call(moves, event.key)) {
      event.preventDefault();
      go(moves[event.key]);
    }
  });

  /* For tests and the benchmark: where the page stands, and a way to move. */
  window.autogradLab = {
    state: function () {
      var g = graphs[current];
      return { graph: current, step: g.step, steps: g.spec.steps,
               node: g.step > 0 ? g.spec.order[g.step] : null };
    },
    go: function (graph, k) { if (graph !== current) { choose(graph); } show(graph, k); },
  };
  if (graphs.length) { choose(0); }
  else {
    $("agl-status").textContent = "no autograd graph was captured";
    ["agl-first", "agl-prev", "agl-next", "agl-last", "agl-slider"].forEach(function (id) {
      $(id).disabled = true;
    });
  }
})();
