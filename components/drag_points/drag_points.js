// drag_points: an SVG chart whose handles are accessible, draggable sliders.
//
// Streamlit Custom Components v2 calls the default export on mount and again
// on every data/theme change, but runs the returned cleanup only on unmount.
// So: one state object per instance lives on the root element, handlers are
// attached by assignment (el.onpointerdown = ...) so re-runs replace them,
// and DOM nodes for handles are reused by index so focus and pointer capture
// survive a rerun.  The module itself is shared by all instances: no
// per-instance variables at module level.

const SVG_NS = "http://www.w3.org/2000/svg";
const MARGIN = { top: 18, right: 22, bottom: 58, left: 74 };
const HANDLE_R = 10;
const HIT_R = 22;
const LEGEND_ROW = 24; // px per row of the lines' legend, above the plot
const TICK_ANGLE = 40; // degrees: x tick labels that would run together are rotated by this much...
const TICK_LINE = 18; // ...and thinned until parallel labels are this far apart (px)
const TICK_MAX_W = 120; // longer tick labels are cut with an ellipsis (the full one is in the tooltip)
const GROW_EVERY_MS = 60; // a handle held past the plot's top or bottom grows the axis this often
const DASH = { solid: "", dash: "9 6", dot: "2 5", dashdot: "9 5 2 5" };

function svgEl(tag, attrs, parent) {
  const el = document.createElementNS(SVG_NS, tag);
  for (const [k, v] of Object.entries(attrs || {})) el.setAttribute(k, String(v));
  if (parent) parent.appendChild(el);
  return el;
}

function clamp(v, lo, hi) {
  return Math.min(Math.max(v, lo), hi);
}

// "Nice" ticks (1, 2, 5 x 10^k) covering [lo, hi].
function niceTicks(lo, hi, count) {
  const span = hi - lo;
  if (!(span > 0)) return [lo];
  const raw = span / Math.max(1, count);
  const mag = Math.pow(10, Math.floor(Math.log10(raw)));
  const norm = raw / mag;
  const step = (norm < 1.5 ? 1 : norm < 3 ? 2 : norm < 7 ? 5 : 10) * mag;
  const out = [];
  for (let v = Math.ceil(lo / step - 1e-9) * step; v <= hi + step * 1e-9; v += step) {
    out.push(Math.abs(v) < step * 1e-9 ? 0 : v);
  }
  return out;
}

function fmtTick(v) {
  const a = Math.abs(v);
  if (a !== 0 && (a >= 1e5 || a < 1e-3)) return v.toExponential(1);
  return String(Number(v.toPrecision(6)));
}

function fmtValue(v, decimals) {
  return Number(v).toFixed(decimals);
}

// Width in px of `text` as drawn with the CSS class `cls` (a hidden <text> reused for measuring).
function textWidth(inst, text, cls) {
  const m = inst.measure;
  m.setAttribute("class", cls);
  m.textContent = text;
  try { return m.getComputedTextLength(); } catch (e) { return 8 * text.length; }
}

// `text` cut with an ellipsis to at most `max` px.
function fitText(inst, text, cls, max) {
  if (textWidth(inst, text, cls) <= max) return text;
  let lo = 0, hi = text.length;
  while (lo < hi) {
    const mid = Math.ceil((lo + hi) / 2);
    if (textWidth(inst, text.slice(0, mid) + "…", cls) <= max) lo = mid; else hi = mid - 1;
  }
  return text.slice(0, lo) + "…";
}

// ---------------------------------------------------------------------------
// One-time structure per instance
// ---------------------------------------------------------------------------

function createInstance(root) {
  const svg = svgEl("svg", { class: "dp-svg", role: "group" }, root);
  const defs = svgEl("defs", {}, svg);
  const clip = svgEl("clipPath", {}, defs);
  const clipId = "dp-clip-" + Math.random().toString(36).slice(2, 10);
  clip.setAttribute("id", clipId);
  const clipRect = svgEl("rect", {}, clip);
  const layers = {};
  // Targets above the handles (they never catch the pointer): a target under a handle stays visible.
  for (const name of ["grid", "axes", "bars", "lines", "fit", "residuals", "handles", "targets", "tip"]) {
    layers[name] = svgEl("g", { class: "dp-layer dp-" + name }, svg);
  }
  for (const name of ["bars", "lines", "fit", "residuals", "targets"]) {
    layers[name].setAttribute("clip-path", `url(#${clipId})`);
  }
  const measure = svgEl("text", { visibility: "hidden", "aria-hidden": "true" }, svg);
  const tip = svgEl("g", { class: "dp-tip", visibility: "hidden" }, layers.tip);
  const tipBox = svgEl("rect", { rx: 4, ry: 4 }, tip);
  const tipText = svgEl("text", {}, tip);

  const inst = {
    root, svg, clipRect, layers, tip, tipBox, tipText, measure,
    data: null, values: [], rev: null, view: [0, 1], geo: null,
    handleEls: [], drag: null, active: -1, width: 0,
    setStateValue: null, touched: new Map(), frame: 0, sent: null,
  };
  inst.resizeObserver = new ResizeObserver(() => {
    const w = Math.floor(root.clientWidth);
    if (w > 0 && w !== inst.width) render(inst);
  });
  inst.resizeObserver.observe(root);
  return inst;
}

// ---------------------------------------------------------------------------
// Scales
// ---------------------------------------------------------------------------

// What does not move with the y axis: the plot's box, the legend's items, the x tick labels' layout.
// Measured once per render (text widths), not on every pointer move.
function geometry(inst) {
  const d = inst.data;
  const width = Math.max(240, Math.floor(inst.root.clientWidth) || 640);
  const [x0, x1] = d.x_range;
  const left = MARGIN.left - (d.y_label ? 0 : 22);
  const pw = width - left - MARGIN.right;
  const sx = (x) => left + ((x - x0) / (x1 - x0)) * pw;
  const legend = legendLayout(inst, left, pw);
  const xt = xTickLayout(inst, sx);
  const top = MARGIN.top + legend.height;
  const bottom = MARGIN.bottom - (d.x_label ? 0 : 24) + xt.extra;
  const ph = Math.max(40, d.height - top - bottom);
  return { width, height: d.height, left, top, pw, ph, sx, x0, x1, legend, xt };
}

function scales(inst) {
  const g = inst.geo || (inst.geo = geometry(inst));
  const [y0, y1] = inst.view;
  const sy = (y) => g.top + (1 - (y - y0) / (y1 - y0)) * g.ph;
  const invY = (py) => y0 + (1 - (py - g.top) / g.ph) * (y1 - y0);
  return { ...g, sy, invY, y0, y1 };
}

// The labelled extra lines as legend items, wrapped into rows above the plot.
function legendLayout(inst, left, pw) {
  const items = [];
  let x = left, row = 0;
  for (const ln of inst.data.lines || []) {
    if (!ln.label) continue;
    const w = 30 + 6 + textWidth(inst, ln.label, "dp-legend") + 18;
    if (x > left && x + w > left + pw) { x = left; row += 1; }
    items.push({ line: ln, x, y: MARGIN.top + row * LEGEND_ROW + LEGEND_ROW / 2 - 4 });
    x += w;
  }
  return { items, height: items.length ? (row + 1) * LEGEND_ROW : 0 };
}

// x tick labels: level if they fit between their neighbours; else rotated, and thinned until rotated
// labels are TICK_LINE px apart; the extra bottom margin the rotated labels need.
function xTickLayout(inst, sx) {
  const d = inst.data;
  const [x0, x1] = d.x_range;
  const ticks = d.x_ticks
    ? d.x_ticks.filter((t) => t.value >= x0 && t.value <= x1)
    : niceTicks(x0, x1, Math.max(3, Math.round((sx(x1) - sx(x0)) / 90))).map((v) => ({ value: v, label: fmtTick(v) }));
  const px = ticks.map((t) => sx(t.value)).sort((a, b) => a - b);
  let gap = Infinity;
  for (let i = 1; i < px.length; i++) gap = Math.min(gap, px[i] - px[i - 1]);
  const widths = ticks.map((t) => textWidth(inst, t.label, "dp-tick"));
  const widest = Math.max(0, ...widths);
  if (widest + 10 <= gap) return { ticks, rotate: 0, every: 1, extra: 0 };
  const rad = (TICK_ANGLE * Math.PI) / 180;
  const every = Math.max(1, Math.ceil(TICK_LINE / (gap * Math.sin(rad))));
  const shown = ticks.map((t) => ({ ...t, text: fitText(inst, t.label, "dp-tick", TICK_MAX_W) }));
  const w = Math.min(TICK_MAX_W, widest);
  return { ticks: shown, rotate: TICK_ANGLE, every, extra: Math.max(0, w * Math.sin(rad) - 8) };
}

// ---------------------------------------------------------------------------
// Rendering
// ---------------------------------------------------------------------------

function renderStatic(inst, s) {
  const d = inst.data;
  const { grid, axes, targets } = inst.layers;
  inst.svg.setAttribute("width", s.width);
  inst.svg.setAttribute("height", s.height);
  inst.svg.setAttribute("viewBox", `0 0 ${s.width} ${s.height}`);
  inst.svg.setAttribute("aria-label", d.y_label ? `Drag chart: ${d.y_label}` : "Drag chart");
  for (const [k, v] of Object.entries({ x: s.left, y: s.top, width: s.pw, height: s.ph })) {
    inst.clipRect.setAttribute(k, v);
  }
  grid.replaceChildren();
  axes.replaceChildren();
  targets.replaceChildren();

  svgEl("rect", { class: "dp-plot-bg", x: s.left, y: s.top, width: s.pw, height: s.ph }, grid);

  // y grid + labels
  for (const v of niceTicks(s.y0, s.y1, Math.max(3, Math.round(s.ph / 48)))) {
    const y = s.sy(v);
    svgEl("line", { class: v === 0 ? "dp-zero" : "dp-gridline", x1: s.left, x2: s.left + s.pw, y1: y, y2: y }, grid);
    const t = svgEl("text", { class: "dp-tick", x: s.left - 8, y, "text-anchor": "end", "dominant-baseline": "middle" }, axes);
    t.textContent = fmtTick(v);
  }
  // x grid + labels (categorical ticks if given): level, or rotated and thinned when they would collide
  const xt = s.xt;
  xt.ticks.forEach((tk, i) => {
    const x = s.sx(tk.value);
    if (!d.x_ticks) svgEl("line", { class: "dp-gridline", x1: x, x2: x, y1: s.top, y2: s.top + s.ph }, grid);
    if (i % xt.every !== 0) return;
    const y = s.top + s.ph + (xt.rotate ? 14 : 22);
    const attrs = xt.rotate
      ? { x, y, "text-anchor": "end", "dominant-baseline": "middle", transform: `rotate(${-xt.rotate} ${x} ${y})` }
      : { x, y, "text-anchor": "middle" };
    const t = svgEl("text", { class: "dp-tick dp-xtick", ...attrs }, axes);
    t.textContent = tk.text ?? tk.label;
    svgEl("title", {}, t).textContent = tk.label;
  });
  // legend of the extra lines
  for (const it of s.legend.items) {
    const g = svgEl("g", { class: "dp-legend-item" }, axes);
    const sw = svgEl("line", { class: "dp-line", x1: it.x, x2: it.x + 30, y1: it.y, y2: it.y }, g);
    styleLine(sw, it.line);
    const t = svgEl("text", { class: "dp-legend", x: it.x + 36, y: it.y, "dominant-baseline": "middle" }, g);
    t.textContent = it.line.label;
  }
  svgEl("rect", { class: "dp-frame", x: s.left, y: s.top, width: s.pw, height: s.ph }, axes);
  if (d.x_label) {
    const t = svgEl("text", { class: "dp-axis-label", x: s.left + s.pw / 2, y: s.top + s.ph + s.xt.extra + 48, "text-anchor": "middle" }, axes);
    t.textContent = d.x_label;
  }
  if (d.y_label) {
    const cx = 18, cy = s.top + s.ph / 2;
    const t = svgEl("text", {
      class: "dp-axis-label", x: cx, y: cy, "text-anchor": "middle",
      "dominant-baseline": "middle", transform: `rotate(-90 ${cx} ${cy})`,
    }, axes);
    t.textContent = d.y_label;
  }

  const filled = d.target_style === "filled";
  for (const tg of d.targets) {
    const c = svgEl("circle", {
      class: "dp-target" + (filled ? " dp-filled" : ""), cx: s.sx(tg.x), cy: s.sy(tg.y), r: filled ? 6 : 7,
    }, targets);
    c.dataset.label = tg.label;
    const title = svgEl("title", {}, c);
    title.textContent = `${tg.label}: ${fmtValue(tg.y, d.decimals)}`;
  }
}

function styleLine(el, ln) {
  el.style.setProperty("--dp-color", ln.color || "var(--st-text-color)");
  if (DASH[ln.dash]) el.setAttribute("stroke-dasharray", DASH[ln.dash]);
}

// The extra lines y = slope * x + intercept across the plot.
function renderLines(inst, s) {
  const layer = inst.layers.lines;
  layer.replaceChildren();
  for (const ln of inst.data.lines || []) {
    const at = (x) => ln.slope * x + ln.intercept;
    const el = svgEl("line", {
      class: "dp-line dp-extra-line", x1: s.sx(s.x0), y1: s.sy(at(s.x0)), x2: s.sx(s.x1), y2: s.sy(at(s.x1)),
    }, layer);
    styleLine(el, ln);
    el.dataset.slope = String(ln.slope);
    el.dataset.intercept = String(ln.intercept);
    el.dataset.label = ln.label;
    svgEl("title", {}, el).textContent = ln.label;
  }
}

function colorOf(h, d) {
  if (h.color) return h.color;
  return d && d.handle_style === "hollow" ? "var(--st-text-color)" : "var(--st-primary-color)";
}

// Everything that moves with the handle values.
function renderDynamic(inst, s) {
  const d = inst.data;
  const { bars, fit, residuals } = inst.layers;
  const vals = inst.values;
  bars.replaceChildren();
  fit.replaceChildren();
  residuals.replaceChildren();

  if (d.mode === "bars") {
    const xs = d.handles.map((h) => h.x).sort((a, b) => a - b);
    let gap = s.x1 - s.x0;
    for (let i = 1; i < xs.length; i++) if (xs[i] > xs[i - 1]) gap = Math.min(gap, xs[i] - xs[i - 1]);
    const bw = Math.max(8, Math.min(120, Math.abs(s.sx(s.x0 + gap) - s.sx(s.x0)) * 0.6));
    const base = s.sy(clamp(0, s.y0, s.y1));
    d.handles.forEach((h, i) => {
      const x = s.sx(h.x), y = s.sy(vals[i]);
      const r = svgEl("rect", {
        class: "dp-bar", x: x - bw / 2, y: Math.min(y, base), width: bw, height: Math.max(1, Math.abs(base - y)),
      }, bars);
      r.style.setProperty("--dp-color", colorOf(h));
      r.dataset.handle = h.label;
      r.onpointerdown = (ev) => startDrag(inst, i, ev, false);
    });
  }

  if (d.connect === "line") {
    const [a, b] = d.handles;
    const slope = (vals[1] - vals[0]) / (b.x - a.x);
    const at = (x) => vals[0] + slope * (x - a.x);
    const ln = svgEl("line", { class: "dp-fit", x1: s.sx(s.x0), y1: s.sy(at(s.x0)), x2: s.sx(s.x1), y2: s.sy(at(s.x1)) }, fit);
    ln.style.setProperty("--dp-color", colorOf(a));
    for (const tg of d.targets) {
      const x = s.sx(tg.x);
      const seg = svgEl("line", { class: "dp-residual", x1: x, x2: x, y1: s.sy(tg.y), y2: s.sy(at(tg.x)) }, residuals);
      seg.style.setProperty("--dp-color", colorOf(a));
    }
  } else if (d.connect === "residuals" && d.targets.length === d.handles.length) {
    d.handles.forEach((h, i) => {
      const tg = d.targets[i];
      const seg = svgEl("line", {
        class: "dp-residual", x1: s.sx(tg.x), x2: s.sx(h.x), y1: s.sy(tg.y), y2: s.sy(vals[i]),
      }, residuals);
      seg.style.setProperty("--dp-color", colorOf(h));
    });
  }

  syncHandles(inst, s);
  updateTip(inst, s);
}

// Handles are reused by index: a rerun must not steal focus or a drag.
function syncHandles(inst, s) {
  const d = inst.data;
  const layer = inst.layers.handles;
  while (inst.handleEls.length > d.handles.length) inst.handleEls.pop().remove();
  while (inst.handleEls.length < d.handles.length) {
    const g = svgEl("g", { class: "dp-handle", role: "slider", tabindex: 0, "aria-orientation": "vertical" }, layer);
    svgEl("circle", { class: "dp-hit", r: HIT_R }, g);
    svgEl("circle", { class: "dp-ring", r: HANDLE_R + 6 }, g);
    svgEl("circle", { class: "dp-dot", r: HANDLE_R }, g);
    inst.handleEls.push(g);
  }
  d.handles.forEach((h, i) => {
    const g = inst.handleEls[i];
    const v = inst.values[i];
    g.setAttribute("transform", `translate(${s.sx(h.x)} ${s.sy(v)})`);
    g.setAttribute("aria-label", h.label);
    g.setAttribute("aria-valuemin", String(Number(inst.view[0].toPrecision(12))));
    g.setAttribute("aria-valuemax", String(Number(inst.view[1].toPrecision(12))));
    g.setAttribute("aria-valuenow", fmtValue(v, d.decimals));
    g.setAttribute("aria-valuetext", fmtValue(v, d.decimals));
    g.dataset.index = String(i);
    g.classList.toggle("dp-dragging", inst.drag !== null && inst.drag.index === i);
    g.classList.toggle("dp-hollow", d.handle_style === "hollow");
    g.style.setProperty("--dp-color", colorOf(h, d));
    g.onpointerdown = (ev) => startDrag(inst, i, ev, true);
    g.onkeydown = (ev) => onKey(inst, i, ev);
    g.onfocus = () => { inst.active = i; updateTip(inst, scales(inst)); };
    g.onblur = () => { if (inst.active === i) inst.active = -1; updateTip(inst, scales(inst)); };
    g.onpointerenter = () => { inst.hover = i; updateTip(inst, scales(inst)); };
    g.onpointerleave = () => { if (inst.hover === i) inst.hover = -1; updateTip(inst, scales(inst)); };
  });
}

// Value read-out next to the dragged / focused / hovered handle.
function updateTip(inst, s) {
  const d = inst.data;
  let i = inst.drag ? inst.drag.index : inst.active >= 0 ? inst.active : inst.hover ?? -1;
  if (i >= d.handles.length) i = -1;
  if (i < 0) { inst.tip.setAttribute("visibility", "hidden"); return; }
  const h = d.handles[i];
  const x = s.sx(h.x), y = s.sy(inst.values[i]);
  inst.tipText.textContent = `${h.label}: ${fmtValue(inst.values[i], d.decimals)}`;
  inst.tip.setAttribute("visibility", "visible");
  const bb = inst.tipText.getBBox();
  const w = bb.width + 16, hh = bb.height + 8;
  let tx = x + HANDLE_R + 10;
  if (tx + w > s.left + s.pw) tx = x - HANDLE_R - 10 - w;
  const ty = clamp(y - hh / 2, s.top, s.top + s.ph - hh);
  inst.tipBox.setAttribute("x", tx);
  inst.tipBox.setAttribute("y", ty);
  inst.tipBox.setAttribute("width", w);
  inst.tipBox.setAttribute("height", hh);
  inst.tipText.setAttribute("x", tx + 8);
  inst.tipText.setAttribute("y", ty + hh / 2);
}

function render(inst) {
  inst.geo = geometry(inst);
  const s = scales(inst);
  inst.width = s.width;
  renderStatic(inst, s);
  renderLines(inst, s);
  renderDynamic(inst, s);
}

// The y axis shown: Python's y_range, grown to hold every handle (a handle pushed past an end grows it).
function fitView(inst, lo, hi) {
  for (const v of inst.values) { lo = Math.min(lo, v); hi = Math.max(hi, v); }
  if (lo === inst.view[0] && hi === inst.view[1]) return false;
  inst.view = [lo, hi];
  return true;
}

// ---------------------------------------------------------------------------
// Interaction
// ---------------------------------------------------------------------------

function send(inst) {
  if (!inst.setStateValue) return;
  inst.sent = { y: inst.values.slice(), rev: inst.rev };
  inst.setStateValue("positions", inst.sent);
  watchRun(inst);
}

function setValue(inst, i, v) {
  const [lo, hi] = inst.data.y_limit || inst.data.y_range;
  inst.values[i] = clamp(v, lo, hi);
  schedulePreview(inst);
  if (fitView(inst, inst.view[0], inst.view[1])) {
    const s = scales(inst);
    renderStatic(inst, s);
    renderLines(inst, s);
    renderDynamic(inst, s);
  } else {
    renderDynamic(inst, scales(inst));
  }
}

function onKey(inst, i, ev) {
  const d = inst.data;
  const step = d.step * (ev.shiftKey ? 10 : 1);
  const v = inst.values[i];
  let nv;
  switch (ev.key) {
    case "ArrowUp": case "ArrowRight": nv = v + step; break;
    case "ArrowDown": case "ArrowLeft": nv = v - step; break;
    case "PageUp": nv = v + 10 * d.step; break;
    case "PageDown": nv = v - 10 * d.step; break;
    case "Home": nv = inst.view[0]; break;
    case "End": nv = inst.view[1]; break;
    default: return;
  }
  ev.preventDefault();
  ev.stopPropagation();
  setValue(inst, i, nv);
  flushPreview(inst); // now, not at the next frame: a late frame would write over the server's answer
  send(inst);
}

// Capture goes on the <svg> (which lives as long as the instance), not on the
// handle, so a rerun that lands mid-drag cannot drop the capture.
function startDrag(inst, i, ev, keepOffset) {
  if (ev.button !== 0 || inst.drag) return;
  ev.preventDefault();
  const g = inst.handleEls[i];
  if (g && typeof g.focus === "function") g.focus({ preventScroll: true });
  // Grabbing a handle off-centre must not make it jump (offset kept); pressing
  // on a bar body sets that bar's top to the pointer.
  const offset = keepOffset ? inst.values[i] - pointerValue(inst, ev) : 0;
  inst.drag = { index: i, pointerId: ev.pointerId, start: inst.values[i], rev: inst.rev, offset };
  try { inst.svg.setPointerCapture(ev.pointerId); } catch (e) { /* pointer already gone */ }
  inst.svg.classList.add("dp-is-dragging");
  moveDrag(inst, ev);
}

function pointerValue(inst, ev) {
  const rect = inst.svg.getBoundingClientRect();
  return scales(inst).invY(ev.clientY - rect.top);
}

function moveDrag(inst, ev) {
  const dr = inst.drag;
  if (!dr || ev.pointerId !== dr.pointerId) return;
  dr.clientY = ev.clientY;
  setValue(inst, dr.index, pointerValue(inst, ev) + dr.offset);
  // Held past the plot's top or bottom (and the axis may grow): keep growing while the pointer stays there.
  const s = scales(inst), y = ev.clientY - inst.svg.getBoundingClientRect().top;
  const outside = y < s.top || y > s.top + s.ph;
  const [lo, hi] = inst.data.y_limit || inst.data.y_range;
  const canGrow = lo < inst.view[0] || hi > inst.view[1];
  if (outside && canGrow && !dr.timer) {
    dr.timer = setInterval(() => {
      if (inst.drag !== dr) { clearInterval(dr.timer); return; }
      moveDrag(inst, { pointerId: dr.pointerId, clientY: dr.clientY });
    }, GROW_EVERY_MS);
  } else if ((!outside || !canGrow) && dr.timer) {
    clearInterval(dr.timer);
    dr.timer = null;
  }
}

function endDrag(inst, ev, commit) {
  const dr = inst.drag;
  if (!dr || ev.pointerId !== dr.pointerId) return;
  if (dr.timer) { clearInterval(dr.timer); dr.timer = null; }
  if (commit) setValue(inst, dr.index, pointerValue(inst, ev) + dr.offset);
  inst.drag = null;
  inst.svg.classList.remove("dp-is-dragging");
  try { inst.svg.releasePointerCapture(ev.pointerId); } catch (e) { /* already released */ }
  if (!commit) inst.values[dr.index] = dr.start;
  renderDynamic(inst, scales(inst));
  // A Python-side change arrived mid-drag: its positions win, send nothing.
  if (commit && dr.rev === inst.rev && inst.values[dr.index] !== dr.start) {
    flushPreview(inst);
    send(inst);
  } else {
    cancelPreview(inst);
    settle(inst); // nothing will come back from the server: show its numbers again
  }
}

// ---------------------------------------------------------------------------
// Entry point (called on mount and on every data change)
// ---------------------------------------------------------------------------

function dragPoints(component) {
  const { data, parentElement, setStateValue } = component;
  const root = parentElement.querySelector(".dp-root");
  if (!root || !data) return undefined;
  if (!parentElement.querySelector("style.dp-style")) {
    // The stylesheet comes with the (cached) library element, not with every run's chart.
    const style = document.createElement("style");
    style.className = "dp-style";
    style.textContent = CSS;
    root.before(style);
  }
  let inst = root.__dragPoints;
  if (!inst) inst = root.__dragPoints = createInstance(root);
  inst.setStateValue = setStateValue;

  const resetLocal =
    inst.rev !== data.rev || inst.values.length !== data.values.length || !inst.data;
  inst.data = data;
  root.style.height = data.height + "px";
  if (resetLocal) {
    // Python-side change (or first mount): Python's positions win.
    inst.values = data.values.slice();
    inst.rev = data.rev;
    if (inst.drag) {
      // Abandon a drag in progress: its start positions no longer exist.
      try { inst.svg.releasePointerCapture(inst.drag.pointerId); } catch (e) { /* gone */ }
      if (inst.drag.timer) clearInterval(inst.drag.timer);
      inst.drag = null;
      inst.svg.classList.remove("dp-is-dragging");
    }
  }
  inst.live = data.live || null;
  inst.restArgs = null; // the samples' arguments at the server's positions (computed when first needed)
  inst.ownTables = inst.live && inst.live.own_tables ? prepareTables(inst.live.own_tables) : null;
  if (inst.live && inst.live.losses && !inst.drag) {
    inst.marks = exactMarks(inst.live);
    requestAnimationFrame(() => drawAllMarks(inst));
  }

  // Python's axis, grown to hold the handles (mid-drag, the axis the drag has grown is kept).
  const [y0, y1] = data.y_range;
  inst.view = inst.drag ? [Math.min(y0, inst.view[0]), Math.max(y1, inst.view[1])] : [y0, y1];
  fitView(inst, inst.view[0], inst.view[1]);

  const svg = inst.svg;
  svg.onpointermove = (ev) => moveDrag(inst, ev);
  svg.onpointerup = (ev) => endDrag(inst, ev, true);
  svg.onpointercancel = (ev) => endDrag(inst, ev, false);
  svg.onlostpointercapture = (ev) => { if (inst.drag) endDrag(inst, ev, true); };

  render(inst);
  maybeSettle(inst); // this data may be the answer, arriving after its run has finished

  return () => {
    inst.resizeObserver.disconnect();
    if (inst.runObserver) inst.runObserver.disconnect();
    for (const { observer } of (inst.chartWatch || new Map()).values()) observer.disconnect();
    cancelPreview(inst);
    delete root.__dragPoints;
  };
}

// ---------------------------------------------------------------------------
// Live preview: while a handle moves, every number and mark that depends on it follows.
//
// No loss formula here. The server sends (scenes/live.py) each loss's per-sample value and derivative
// tabulated over the quantity a handle moves, in the library element (cached: the same on every drag),
// and with each run the samples' maps from the handles and their exact values. This code interpolates,
// re-sums and writes the results into the page's metrics and Plotly charts (their own DOM nodes, no
// Plotly.react). When the server's run has finished, whatever it did not redraw is put back as it was,
// so the page always ends on the server's exact numbers.
// ---------------------------------------------------------------------------

const MARK = "\u200b"; // ends every previewed text, so a server's redraw with the same text is recognised

function registry() {
  return (window.__lossxDragPoints ||= { tables: {}, impl: null });
}

// Tables arrive as JSON (null: not defined there); kept as Float64Arrays with NaN.
function prepareTables(raw) {
  const out = {};
  const arr = (a) => Float64Array.from(a, (v) => (v === null ? NaN : v));
  for (const [name, t] of Object.entries(raw || {})) {
    if (typeof t.x !== "string") out[name] = { x: arr(t.x), f: arr(t.f), df: t.df ? arr(t.df) : null, h: !!t.h };
  }
  for (const [name, t] of Object.entries(raw || {})) { // tables sharing another table's nodes
    if (typeof t.x === "string" && out[t.x]) out[name] = { x: out[t.x].x, f: arr(t.f), df: t.df ? arr(t.df) : null, h: !!t.h };
  }
  return out;
}

// The tabulated value (cubic Hermite when the table holds its derivative, else linear) and derivative at x.
function lookup(t, x) {
  if (!t) return { f: NaN, d: NaN };
  const xs = t.x, n = xs.length;
  if (!(x >= xs[0] && x <= xs[n - 1])) return { f: NaN, d: NaN };
  let lo = 0, hi = n - 1;
  while (lo < hi) { const mid = (lo + hi) >> 1; if (xs[mid] < x) lo = mid + 1; else hi = mid; }
  const j = lo, df = t.df;
  if (xs[j] === x || j === 0) return { f: t.f[j], d: df ? df[j] : NaN };
  const a = j - 1, h = xs[j] - xs[a], u = (x - xs[a]) / h;
  const f0 = t.f[a], f1 = t.f[j];
  const d0 = df ? df[a] : NaN, d1 = df ? df[j] : NaN;
  let f = f0 + (f1 - f0) * u;
  if (t.h && Number.isFinite(d0) && Number.isFinite(d1)) {
    const u2 = u * u, u3 = u2 * u;
    f = (2 * u3 - 3 * u2 + 1) * f0 + (u3 - 2 * u2 + u) * h * d0 + (3 * u2 - 2 * u3) * f1 + (u3 - u2) * h * d1;
  }
  return { f, d: d0 + (d1 - d0) * u };
}

// Each sample's argument (its residual, its margin): offset + sum of c * handle value (through `pre`).
function unitArgs(live, values, T) {
  return live.units.map((u) => {
    let a = u.o;
    for (const [k, c] of u.h) a += c * (u.pre ? lookup(T[u.pre], values[k]).f : values[k]);
    return a;
  });
}

function schedulePreview(inst) {
  if (!inst.live || inst.frame) return;
  inst.frame = requestAnimationFrame(() => { inst.frame = 0; preview(inst); });
}

function flushPreview(inst) {
  if (!inst.frame) return;
  cancelAnimationFrame(inst.frame);
  inst.frame = 0;
  preview(inst);
}

function cancelPreview(inst) {
  if (inst.frame) cancelAnimationFrame(inst.frame);
  inst.frame = 0;
}

function fmtMetric(v) {
  // charts.style.format_metric: 4 decimals, or 4 significant digits from 1e4
  if (Number.isNaN(v)) return "undefined";
  if (!Number.isFinite(v)) return v > 0 ? "∞" : "-∞";
  if (Math.abs(v) < 1e4) return v.toFixed(4);
  const [m, e] = v.toExponential(3).split("e");
  const mant = m.includes(".") ? m.replace(/0+$/, "").replace(/\.$/, "") : m;
  const exp = Number(e);
  return `${mant}e${exp < 0 ? "-" : "+"}${String(Math.abs(exp)).padStart(2, "0")}`;
}

// Remember a node's value the first time the preview writes it; write.
function write(inst, node, attr, value) {
  let rec = inst.touched.get(node);
  const current = attr ? node.getAttribute(attr) : node.nodeValue;
  if (!rec) inst.touched.set(node, (rec = { attr, original: current }));
  else if (current !== rec.written) rec.original = current; // the server has redrawn it since: its text now
  if (current !== value) {
    if (attr) node.setAttribute(attr, value); else node.nodeValue = value;
  }
  rec.written = value;
}

function hide(inst, el) {
  if (!inst.touched.has(el)) inst.touched.set(el, { attr: "style.visibility" });
  el.style.visibility = "hidden";
}

// Put back what the server did not redraw (it still shows the preview), so the page shows the server's numbers.
function settle(inst) {
  if (inst.live && inst.live.losses && !inst.drag) {
    inst.marks = exactMarks(inst.live);
    drawAllMarks(inst);
  }
  for (const [node, rec] of inst.touched) {
    if (rec.attr === "style.visibility") { node.style.visibility = ""; continue; }
    const current = rec.attr ? node.getAttribute(rec.attr) : node.nodeValue;
    if (current !== rec.written || rec.original === null) continue;
    if (rec.attr) node.setAttribute(rec.attr, rec.original); else node.nodeValue = rec.original;
  }
  inst.touched.clear();
}

// After a send: settle once the server has answered it (this chart's data holds the positions sent, or
// Python's own, under a new token) and its run has finished. A run that ends before that one (an earlier
// send's) settles nothing: its numbers are not the ones previewed.
function answered(inst) {
  const sent = inst.sent, data = inst.data;
  if (!sent || data.rev !== sent.rev) return true;
  const close = (a, b) => Math.abs(a - b) <= 1e-9 * Math.max(1, Math.abs(a), Math.abs(b));
  return data.values.length === sent.y.length && data.values.every((v, k) => close(v, sent.y[k]));
}

function maybeSettle(inst) {
  if (!inst.sent || inst.drag || !answered(inst)) return;
  const app = document.querySelector('[data-testid="stApp"]');
  if (app && app.getAttribute("data-test-script-state") === "running") return;
  inst.sent = null;
  if (inst.runObserver) inst.runObserver.disconnect();
  inst.runObserver = null;
  settle(inst);
}

function watchRun(inst) {
  const app = document.querySelector('[data-testid="stApp"]');
  if (!app || !inst.live || inst.runObserver) return;
  inst.runObserver = new MutationObserver(() => maybeSettle(inst));
  inst.runObserver.observe(app, { attributes: true, attributeFilter: ["data-test-script-state"] });
}

function firstText(el) {
  const walker = document.createTreeWalker(el, NodeFilter.SHOW_TEXT);
  return walker.nextNode();
}

function preview(inst) {
  const live = inst.live;
  if (live.mode === "handles") { previewHandles(inst); return; }
  const T = registry().tables[live.tables];
  if (!T) return;
  // A moved handle counts at the value the server will keep: rounded to `live.decimals` (if it rounds).
  const dec = live.decimals;
  const shown = inst.values.map((v, k) => (v === inst.data.values[k] || dec == null ? v : Number(v.toFixed(dec))));
  const args = unitArgs(live, shown, T);
  const rest = (inst.restArgs ||= unitArgs(live, inst.data.values, T));
  const moved = args.map((a, u) => a !== rest[u]);
  const exactArgs = live.args || [];
  const at = args.map((a, u) => (moved[u] || exactArgs[u] === null || exactArgs[u] === undefined ? a : exactArgs[u]));
  const byLoss = {};
  const row = live.metrics ? document.querySelector(`.st-key-${live.metrics}`) : null;
  const metricEls = row ? row.querySelectorAll('[data-testid="stMetric"]') : [];
  for (const L of live.losses) {
    const f = new Float64Array(args.length), d = new Float64Array(args.length);
    L.units.forEach(([tab, scale, shift], u) => {
      const r = lookup(T[tab], scale * args[u] + shift);
      const exact = L.exact ? L.exact[u] : null;
      const exactD = L.exact_d ? L.exact_d[u] : null;
      f[u] = !moved[u] && exact !== null && exact !== undefined ? exact : r.f;
      d[u] = !moved[u] && exactD !== null && exactD !== undefined ? exactD : r.d;
    });
    let total = 0;
    for (const v of f) total += v;
    const mean = total / f.length;
    const cost = L.finish ? lookup(T[L.finish], mean).f : mean;
    byLoss[L.name] = { f, d, total };
    const el = L.metric === null ? null : metricEls[L.metric];
    if (el) {
      const valueEl = el.querySelector('[data-testid="stMetricValue"]');
      const text = valueEl && firstText(valueEl);
      if (text) write(inst, text, null, fmtMetric(cost) + MARK);
      const delta = el.querySelector('[data-testid="stMetricDelta"]');
      if (delta) hide(inst, delta); // its "change since the last step" is not known until the server answers
    }
  }
  inst.marks = { args: at, byLoss };
  drawAllMarks(inst);
}

// One sample's numbers as functions of each handle (the multi-class logits: every number depends on all of
// them). Only one handle moves at a time: each number is read from its table for that handle, the others
// held where the server had them (tables sent with each run, in the chart's own data).
function previewHandles(inst) {
  const live = inst.live, T = inst.ownTables;
  if (!T) return;
  const dec = live.decimals;
  let k = -1, v = NaN;
  inst.values.forEach((x, i) => {
    if (x !== inst.data.values[i]) { k = i; v = dec == null ? x : Number(x.toFixed(dec)); }
  });
  if (k < 0) return;
  const value = {};
  for (const q of live.quantities) {
    value[q.name] = lookup(T[`${q.name}@${k}`], v).f;
    if (!q.metric) continue;
    const el = document.querySelector(`.st-key-${q.metric} [data-testid="stMetric"]`);
    const valueEl = el && el.querySelector('[data-testid="stMetricValue"]');
    const text = valueEl && firstText(valueEl);
    if (text) write(inst, text, null, fmtMetric(value[q.name]) + MARK);
    const delta = el && el.querySelector('[data-testid="stMetricDelta"]');
    if (delta) hide(inst, delta);
  }
  for (const b of live.bars) {
    const gd = document.querySelector(`.st-key-${b.chart} .js-plotly-plot`);
    if (!gd || !gd._fullLayout) continue;
    const ya = gd._fullLayout.yaxis;
    for (const tr of gd.querySelectorAll(".barlayer .trace")) {
      const trace = tr.__data__ && tr.__data__[0] && tr.__data__[0].trace;
      if (!trace || trace.name !== b.trace) continue;
      for (const pt of tr.querySelectorAll(".point")) {
        const di = pt.__data__;
        const name = di ? b.points[di.i] : undefined;
        const y = name === undefined ? NaN : value[name];
        const path = pt.querySelector("path");
        const m = path && /^M([-\d.e]+),([-\d.e]+)V([-\d.e]+)H([-\d.e]+)V/.exec(path.getAttribute("d") || "");
        if (!m || !Number.isFinite(y)) continue;
        const rec = inst.touched.get(path);
        const oldTop = Number(/V([-\d.e]+)H/.exec(rec ? rec.original : path.getAttribute("d"))[1]);
        const base = ya.c2p(0), top = ya.c2p(Math.min(y, ya.range[1]));
        write(inst, path, "d", `M${m[1]},${base}V${top}H${m[4]}V${base}Z`);
        const label = pt.querySelector("text");
        if (!label) continue;
        const txt = firstText(label);
        const digits = (txt && (/\.(\d+)/.exec(txt.nodeValue.replace(MARK, "")) || [, ""])[1].length) || 3;
        if (txt) write(inst, txt, null, y.toFixed(digits) + MARK);
        const tf = (inst.touched.get(label) || {}).original ?? label.getAttribute("transform") ?? "";
        const t = /translate\(([-\d.e]+),([-\d.e]+)\)/.exec(tf);
        if (t) write(inst, label, "transform", tf.replace(t[0], `translate(${t[1]},${Number(t[2]) + top - oldTop})`));
      }
    }
  }
}

// ---------------------------------------------------------------------------
// The marks on the curve charts: drawn here, over each Plotly chart (whose figure holds only the static
// curves, so a drag never makes Streamlit draw it again), from the server's exact values at rest and from
// the preview while a handle moves. Redrawn whenever Plotly redraws the chart under them.
// ---------------------------------------------------------------------------

const SVG_MARKS = "lossx-marks";

function exactMarks(live) {
  const num = (a) => Float64Array.from(a || [], (v) => (v === null ? NaN : v));
  const byLoss = {};
  for (const L of live.losses) {
    const f = num(L.exact);
    let total = 0;
    for (const v of f) total += v;
    byLoss[L.name] = { f, d: num(L.exact_d), total };
  }
  return { args: Array.from(num(live.args)), byLoss };
}

function crossPath(r) {
  const a = r * 0.32;
  const p = [[-a, -r], [a, -r], [a, -a], [r, -a], [r, a], [a, a], [a, r], [-a, r], [-a, a], [-r, a], [-r, -a], [-a, -a]];
  const k = Math.SQRT1_2; // a plus turned by 45 degrees: Plotly's "x"
  return "M" + p.map(([x, y]) => `${((x - y) * k).toFixed(2)},${((x + y) * k).toFixed(2)}`).join("L") + "Z";
}

function fmtNum(v) {
  return Math.abs(v) >= 1e4 || (v !== 0 && Math.abs(v) < 1e-3) ? v.toExponential(3) : String(Number(v.toPrecision(4)));
}

function drawAllMarks(inst) {
  const live = inst.live;
  if (!live || !inst.marks) return;
  const T = registry().tables[live.tables] || {};
  const charts = new Map();
  for (const s of live.series) {
    if (!charts.has(s.chart)) charts.set(s.chart, []);
    charts.get(s.chart).push(s);
  }
  for (const [chart, series] of charts) {
    watchChart(inst, chart);
    drawChartMarks(inst, chart, series, T);
  }
}

function drawChartMarks(inst, chart, series, T) {
  const live = inst.live, state = inst.marks;
  const gd = document.querySelector(`.st-key-${chart} .js-plotly-plot`);
  const fl = gd && gd._fullLayout;
  const container = gd && gd.querySelector(".svg-container");
  if (!fl || !container || !fl.xaxis || fl.xaxis._offset === undefined) return;
  const xa = fl.xaxis, ya = fl.yaxis;
  let svg = container.querySelector(`:scope > svg.${SVG_MARKS}`);
  if (!svg) {
    svg = svgEl("svg", { class: SVG_MARKS, "aria-hidden": "true" });
    svg.style.cssText = "position:absolute;left:0;top:0;overflow:hidden;pointer-events:none";
    const clip = svgEl("clipPath", { id: `${SVG_MARKS}-${chart}` }, svgEl("defs", {}, svg));
    svgEl("rect", {}, clip);
    svg.__layer = svgEl("g", { "clip-path": `url(#${SVG_MARKS}-${chart})` }, svg);
    svg.__marks = new Map();
    container.appendChild(svg);
  }
  svg.setAttribute("width", fl.width);
  svg.setAttribute("height", fl.height);
  const rect = svg.querySelector("clipPath rect");
  for (const [k, v] of Object.entries({ x: xa._offset, y: ya._offset, width: xa._length, height: ya._length })) {
    rect.setAttribute(k, v);
  }
  const scale = live.scale || 1;
  const seen = new Set();
  series.forEach((s, si) => {
    const L = state.byLoss[s.loss];
    if (!L) return;
    if (s.kind === "bar") { drawBars(svg, gd, s, si, L, seen, live); return; }
    for (const u of s.units) {
      const id = `${si}:${u}`;
      seen.add(id);
      let g = svg.__marks.get(id);
      if (!g) {
        g = svgEl("g", { class: "lossx-mark" }, svg.__layer);
        g.style.pointerEvents = "auto";
        g.__dot = svgEl("circle", { stroke: "white", "stroke-width": 1.5 }, g);
        g.__cross = svgEl("path", { stroke: "#1b1f24", "stroke-width": 2 }, g);
        g.__title = svgEl("title", {}, g);
        svg.__marks.set(id, g);
      }
      const arg = state.args[u];
      const x = s.x ? lookup(T[s.x[u]], arg).f : arg;
      const y = s.y === "df" ? L.d[u] : L.f[u];
      const px = xa._offset + xa.c2p(x), py = ya._offset + ya.c2p(y);
      if (!Number.isFinite(px) || !Number.isFinite(py)) { g.setAttribute("display", "none"); g.__drawn = ""; continue; }
      const wrong = s.wrong_at !== null && s.wrong_at !== undefined && arg <= s.wrong_at;
      const drawn = `${px},${py},${wrong},${s.color},${scale}`;
      if (g.__drawn === drawn) continue; // unchanged (during a drag, only the moved sample's marks move)
      g.__drawn = drawn;
      g.removeAttribute("display");
      g.setAttribute("transform", `translate(${px},${py})`);
      g.dataset.unit = String(u);
      g.dataset.loss = s.loss;
      g.dataset.wrong = wrong ? "1" : "0";
      g.__dot.setAttribute("r", (11 * scale) / 2);
      g.__dot.setAttribute("fill", s.color);
      g.__dot.setAttribute("display", wrong ? "none" : "inline");
      g.__cross.setAttribute("d", crossPath((15 * scale) / 2));
      g.__cross.setAttribute("fill", s.color);
      g.__cross.setAttribute("display", wrong ? "inline" : "none");
      const name = (live.labels && live.labels[u]) || `sample ${u + 1}`;
      g.__title.textContent = `${name}${wrong ? " (misclassified)" : ""}: x = ${fmtNum(x)}, y = ${fmtNum(y)}`;
    }
  });
  for (const [id, g] of svg.__marks) {
    if (!seen.has(id)) { g.remove(); svg.__marks.delete(id); }
  }
}

// Bars over a bar chart sent empty (its groups and legend only): at each bar's place as Plotly laid it out
// (its calcdata), up to the sample's share of the loss's total, in %.
function drawBars(svg, gd, s, si, L, seen, live) {
  const fl = gd._fullLayout, xa = fl.xaxis, ya = fl.yaxis;
  const k = (gd._fullData || []).findIndex((t) => t.meta && t.meta.live === s.tag);
  const cd = k >= 0 && gd.calcdata ? gd.calcdata[k] : null;
  if (!cd || !cd[0] || !cd[0].t) return;
  const t = cd[0].t, ids = gd._fullData[k].meta.ids, color = gd._fullData[k].marker.color;
  const top = ya.range[1];
  cd.forEach((pt, i) => {
    const u = ids[i], id = `${si}:${u}`;
    seen.add(id);
    let r = svg.__marks.get(id);
    if (!r) {
      r = svgEl("rect", { class: "lossx-bar" }, svg.__layer);
      r.style.pointerEvents = "auto";
      r.__title = svgEl("title", {}, r);
      svg.__marks.set(id, r);
    }
    const share = L.total > 0 && Number.isFinite(L.total) ? (100 * L.f[u]) / L.total : 0;
    const off = Array.isArray(t.poffset) ? t.poffset[i] : t.poffset;
    const width = Array.isArray(t.barwidth) ? t.barwidth[i] : t.barwidth;
    const x0 = xa._offset + xa.c2p(pt.p + off), x1 = xa._offset + xa.c2p(pt.p + off + width);
    const y0 = ya._offset + ya.c2p(0), y1 = ya._offset + ya.c2p(Math.min(Math.max(share, 0), top));
    if (![x0, x1, y0, y1].every(Number.isFinite)) { r.setAttribute("display", "none"); r.__drawn = ""; return; }
    const drawn = `${x0},${x1},${y0},${y1},${color}`;
    if (r.__drawn === drawn) return;
    r.__drawn = drawn;
    r.removeAttribute("display");
    r.setAttribute("x", Math.min(x0, x1));
    r.setAttribute("width", Math.abs(x1 - x0));
    r.setAttribute("y", Math.min(y0, y1));
    r.setAttribute("height", Math.abs(y0 - y1));
    r.setAttribute("fill", color);
    r.dataset.unit = String(u);
    r.dataset.loss = s.loss;
    r.dataset.share = share.toFixed(1);
    const name = (live.labels && live.labels[u]) || `sample ${u + 1}`;
    r.__title.textContent = `${name}: ${share.toFixed(1)}% of the total`;
  });
}

// Plotly replaces or redraws a chart (a new figure, a resize): draw its marks again on top.
function watchChart(inst, chart) {
  inst.chartWatch ||= new Map();
  const host = document.querySelector(`.st-key-${chart}`);
  const known = inst.chartWatch.get(chart);
  if (!host || (known && known.host === host)) return;
  if (known) known.observer.disconnect();
  const observer = new MutationObserver((records) => {
    if (records.every((r) => r.target.closest && r.target.closest(`.${SVG_MARKS}`))) return;
    if (inst.marksFrame) return;
    inst.marksFrame = requestAnimationFrame(() => { inst.marksFrame = 0; drawAllMarks(inst); });
  });
  observer.observe(host, { childList: true, subtree: true });
  inst.chartWatch.set(chart, { host, observer });
}

// Streamlit draws a new Plotly figure twice: first without a width (hidden, at Plotly's default 700 px),
// then again once its state has the container's width: two full redraws per chart per drag. Giving the
// first call the width the second will bring makes the second a no-op for Plotly.react (nothing changed).
function drawOnceAtItsWidth() {
  const P = window.Plotly;
  if (!P || window.__lossxReactAtWidth) return; // once per page (others may wrap Plotly.react too)
  window.__lossxReactAtWidth = true;
  const react = P.react;
  P.react = function (gd, spec, ...rest) {
    const box = gd && gd.closest && gd.closest('[data-testid="stPlotlyChart"]');
    const layout = spec && spec.layout;
    if (box && layout && layout.width === undefined && box.clientWidth > 0) {
      spec = { ...spec, layout: { ...layout, width: box.clientWidth } };
    }
    return react.call(this, gd, spec, ...rest);
  };
}

// The library element's entry point: it carries this module (once, cached by Streamlit) and the tables of
// one drag chart; each chart's own small element calls dragPoints through the registry.
export default function library(component) {
  const reg = registry();
  reg.impl = dragPoints;
  drawOnceAtItsWidth();
  const data = component.data || {};
  if (data.name) reg.tables[data.name] = prepareTables(data.tables);
  for (const run of (reg.waiting || []).splice(0)) run();
  return undefined;
}
