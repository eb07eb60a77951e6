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
  for (const name of ["grid", "axes", "bars", "fit", "residuals", "targets", "handles", "tip"]) {
    layers[name] = svgEl("g", { class: "dp-layer dp-" + name }, svg);
  }
  for (const name of ["bars", "fit", "residuals", "targets"]) {
    layers[name].setAttribute("clip-path", `url(#${clipId})`);
  }
  const tip = svgEl("g", { class: "dp-tip", visibility: "hidden" }, layers.tip);
  const tipBox = svgEl("rect", { rx: 4, ry: 4 }, tip);
  const tipText = svgEl("text", {}, tip);

  const inst = {
    root, svg, clipRect, layers, tip, tipBox, tipText,
    data: null, values: [], rev: null,
    handleEls: [], drag: null, active: -1, width: 0,
    setStateValue: null,
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

function scales(inst) {
  const d = inst.data;
  const width = Math.max(240, Math.floor(inst.root.clientWidth) || 640);
  const height = d.height;
  const [x0, x1] = d.x_range;
  const [y0, y1] = d.y_range;
  const left = MARGIN.left - (d.y_label ? 0 : 22);
  const bottom = MARGIN.bottom - (d.x_label ? 0 : 24);
  const pw = width - left - MARGIN.right;
  const ph = height - MARGIN.top - bottom;
  const sx = (x) => left + ((x - x0) / (x1 - x0)) * pw;
  const sy = (y) => MARGIN.top + (1 - (y - y0) / (y1 - y0)) * ph;
  const invY = (py) => y0 + (1 - (py - MARGIN.top) / ph) * (y1 - y0);
  return { width, height, left, top: MARGIN.top, pw, ph, sx, sy, invY, x0, x1, y0, y1 };
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
  // x grid + labels (categorical ticks if given)
  const xticks = d.x_ticks
    ? d.x_ticks.filter((t) => t.value >= s.x0 && t.value <= s.x1)
    : niceTicks(s.x0, s.x1, Math.max(3, Math.round(s.pw / 90))).map((v) => ({ value: v, label: fmtTick(v) }));
  for (const tk of xticks) {
    const x = s.sx(tk.value);
    if (!d.x_ticks) svgEl("line", { class: "dp-gridline", x1: x, x2: x, y1: s.top, y2: s.top + s.ph }, grid);
    const t = svgEl("text", { class: "dp-tick", x, y: s.top + s.ph + 22, "text-anchor": "middle" }, axes);
    t.textContent = tk.label;
  }
  svgEl("rect", { class: "dp-frame", x: s.left, y: s.top, width: s.pw, height: s.ph }, axes);
  if (d.x_label) {
    const t = svgEl("text", { class: "dp-axis-label", x: s.left + s.pw / 2, y: s.height - 10, "text-anchor": "middle" }, axes);
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

  for (const tg of d.targets) {
    const c = svgEl("circle", { class: "dp-target", cx: s.sx(tg.x), cy: s.sy(tg.y), r: 7 }, targets);
    const title = svgEl("title", {}, c);
    title.textContent = `${tg.label}: ${fmtValue(tg.y, d.decimals)}`;
  }
}

function colorOf(h) {
  return h.color || "var(--st-primary-color)";
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
    g.setAttribute("aria-valuemin", String(d.y_range[0]));
    g.setAttribute("aria-valuemax", String(d.y_range[1]));
    g.setAttribute("aria-valuenow", fmtValue(v, d.decimals));
    g.setAttribute("aria-valuetext", fmtValue(v, d.decimals));
    g.dataset.index = String(i);
    g.classList.toggle("dp-dragging", inst.drag !== null && inst.drag.index === i);
    g.style.setProperty("--dp-color", colorOf(h));
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
  const s = scales(inst);
  inst.width = s.width;
  renderStatic(inst, s);
  renderDynamic(inst, s);
}

// ---------------------------------------------------------------------------
// Interaction
// ---------------------------------------------------------------------------

function send(inst) {
  if (inst.setStateValue) inst.setStateValue("positions", { y: inst.values.slice(), rev: inst.rev });
}

function setValue(inst, i, v) {
  const [lo, hi] = inst.data.y_range;
  inst.values[i] = clamp(v, lo, hi);
  renderDynamic(inst, scales(inst));
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
    case "Home": nv = d.y_range[0]; break;
    case "End": nv = d.y_range[1]; break;
    default: return;
  }
  ev.preventDefault();
  ev.stopPropagation();
  setValue(inst, i, nv);
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
  setValue(inst, dr.index, pointerValue(inst, ev) + dr.offset);
}

function endDrag(inst, ev, commit) {
  const dr = inst.drag;
  if (!dr || ev.pointerId !== dr.pointerId) return;
  if (commit) moveDrag(inst, ev);
  inst.drag = null;
  inst.svg.classList.remove("dp-is-dragging");
  try { inst.svg.releasePointerCapture(ev.pointerId); } catch (e) { /* already released */ }
  if (!commit) inst.values[dr.index] = dr.start;
  renderDynamic(inst, scales(inst));
  // A Python-side change arrived mid-drag: its positions win, send nothing.
  if (commit && dr.rev === inst.rev && inst.values[dr.index] !== dr.start) send(inst);
}

// ---------------------------------------------------------------------------
// Entry point (called on mount and on every data change)
// ---------------------------------------------------------------------------

export default function dragPoints(component) {
  const { data, parentElement, setStateValue } = component;
  const root = parentElement.querySelector(".dp-root");
  if (!root || !data) return undefined;
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
      inst.drag = null;
      inst.svg.classList.remove("dp-is-dragging");
    }
  }

  const svg = inst.svg;
  svg.onpointermove = (ev) => moveDrag(inst, ev);
  svg.onpointerup = (ev) => endDrag(inst, ev, true);
  svg.onpointercancel = (ev) => endDrag(inst, ev, false);
  svg.onlostpointercapture = (ev) => { if (inst.drag) endDrag(inst, ev, true); };

  render(inst);

  return () => {
    inst.resizeObserver.disconnect();
    delete root.__dragPoints;
  };
}
