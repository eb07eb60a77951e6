// drag_points' per-run element: the chart's data only. Its code arrives once, with the library element
// (drag_points.js, cached by Streamlit's message cache), so a drag does not send 20 KB of source again.
export default function dragPointsStub(component) {
  const reg = (window.__lossxDragPoints ||= { tables: {}, impl: null });
  let cleanup;
  const run = () => {
    if (component.parentElement.__dpLatest !== run) return; // a newer run of this chart came first
    cleanup = reg.impl(component);
  };
  component.parentElement.__dpLatest = run;
  if (reg.impl) run();
  else (reg.waiting ||= []).push(run);
  return () => { if (cleanup) cleanup(); };
}
