extension ReportTemplate {
  /// The report's only style sheet (its hash goes into the CSP).
  static let stylesheet = """
    :root { --ink: #1d2430; --muted: #5b6472; --line: #d5dae1; --accent: #b3261e;
      --flood: #f6c9c4; --series: #3b6ea8; --soft: #f4f6f9; }
    * { box-sizing: border-box; }
    html { font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, "Liberation Sans", Arial, sans-serif;
      color: var(--ink); background: #fff; }
    body { margin: 0 auto; max-width: 1120px; padding: 24px 28px 60px; }
    h1 { font-size: 26px; margin: 0 0 4px; }
    h2 { font-size: 20px; margin: 36px 0 10px; padding-bottom: 4px; border-bottom: 2px solid var(--ink);
      break-after: avoid; page-break-after: avoid; }
    h3 { font-size: 15px; margin: 18px 0 6px; break-after: avoid; page-break-after: avoid; }
    p { margin: 6px 0 10px; max-width: 80ch; }
    .subtitle { color: var(--muted); margin: 0 0 18px; }
    nav ol { columns: 2; margin: 8px 0 0; padding-left: 20px; color: var(--muted); }
    nav a { color: inherit; }
    .lead { font-size: 16px; max-width: 90ch; }
    .finding { border-left: 4px solid var(--accent); background: #fbf1f0; padding: 10px 14px; margin: 12px 0; }
    .finding p { margin: 4px 0; }
    .figures { display: grid; grid-template-columns: repeat(auto-fill, minmax(132px, 1fr)); gap: 8px;
      margin: 14px 0; padding: 0; list-style: none; }
    .figures li { background: var(--soft); border-radius: 4px; padding: 8px 10px; break-inside: avoid; }
    .figures b { display: block; font-size: 20px; }
    .figures span { color: var(--muted); font-size: 12px; }
    table { border-collapse: collapse; width: 100%; margin: 8px 0 14px; font-size: 12.5px; }
    th, td { text-align: left; padding: 4px 6px; border-bottom: 1px solid var(--line); vertical-align: top; }
    th { background: var(--soft); font-weight: 600; white-space: nowrap; }
    td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; }
    td.site { min-width: 9em; }
    td.mono, td.time { white-space: nowrap; font-variant-numeric: tabular-nums; }
    tr { break-inside: avoid; page-break-inside: avoid; }
    thead { display: table-header-group; }
    tr.infected td:first-child { border-left: 3px solid var(--accent); }
    .data { unicode-bidi: isolate; overflow-wrap: anywhere; }
    code, .mono { font-family: "DejaVu Sans Mono", Menlo, Consolas, monospace; font-size: 12px; }
    th button { font: inherit; background: none; border: 0; padding: 0; cursor: pointer; color: inherit; }
    th[aria-sort="ascending"] button::after { content: " ▲"; }
    th[aria-sort="descending"] button::after { content: " ▼"; }
    .note { color: var(--muted); font-size: 12.5px; }
    figure { margin: 10px 0 18px; break-inside: avoid; page-break-inside: avoid; }
    figure.tall { break-inside: auto; page-break-inside: auto; }
    figcaption { color: var(--muted); font-size: 12.5px; margin-top: 4px; }
    .scroll { overflow-x: auto; }
    svg.chart { display: block; max-width: 100%; height: auto; font-size: 11px; }
    svg .grid { stroke: #e6e9ee; stroke-width: 1; }
    svg .axis-line { stroke: #8a929e; stroke-width: 1; }
    svg .tick { fill: var(--muted); text-anchor: middle; }
    svg .count { fill: var(--muted); text-anchor: end; }
    svg .axis-title { fill: var(--muted); font-style: italic; }
    svg .server { font-weight: 600; fill: var(--ink); }
    svg .series { fill: var(--series); fill-opacity: .85; stroke: none; }
    svg .flood { fill: var(--flood); }
    svg .curve { fill: none; stroke: var(--accent); stroke-width: 2; }
    svg .edge { fill: none; stroke: #7d8794; stroke-width: 1.3; }
    svg .edge.uncertain { stroke-dasharray: 4 3; }
    svg .edge-label { fill: var(--muted); font-size: 10px; text-anchor: middle; }
    svg .mail { fill: #7d8794; }
    svg .node { fill: var(--series); stroke: #fff; stroke-width: 1.5; }
    svg .node.root { fill: var(--accent); }
    svg .label { fill: var(--ink); }
    svg .label.root { font-weight: 700; fill: var(--accent); }
    svg .pseudo { fill: var(--muted); font-style: italic; text-anchor: end; }
    svg .pseudo-node { fill: #fff; stroke: #7d8794; stroke-width: 1.5; }
    .host { border: 1px solid var(--line); border-radius: 4px; padding: 8px 12px; margin: 10px 0; }
    .host dl, .evidence li { break-inside: avoid; page-break-inside: avoid; }
    .host h3 { margin: 0 0 4px; font-weight: 600; }
    .host h3 .mono { font-size: 15px; font-weight: 700; }
    .host dl { display: grid; grid-template-columns: 9em 1fr; gap: 2px 12px; margin: 4px 0 8px; }
    .host dt { color: var(--muted); }
    .host dd { margin: 0; }
    .evidence { list-style: none; padding: 0; margin: 4px 0 0; }
    .evidence li { margin: 0 0 6px; }
    .evidence .where { color: var(--muted); font-size: 11.5px; }
    .evidence pre { margin: 1px 0 0; padding: 4px 6px; background: var(--soft); white-space: pre-wrap;
      overflow-wrap: anywhere; unicode-bidi: isolate; }
    .tag { display: inline-block; padding: 0 6px; border-radius: 3px; background: #fbe3e0; color: var(--accent);
      font-size: 11.5px; font-weight: 600; }
    .method li { margin-bottom: 4px; max-width: 90ch; }
    footer { margin-top: 40px; color: var(--muted); font-size: 12px; }
    @media print {
      html { font-size: 10.5pt; }
      body { max-width: none; padding: 0; }
      nav { display: none; }
      section { break-before: auto; }
      #details, #method { break-before: page; page-break-before: always; }
      table { font-size: 8.5pt; }
      th, td { padding: 3px 4px; }
      td.time { white-space: normal; min-width: 6.5em; }
      .evidence pre { font-size: 8pt; }
      .scroll { overflow: visible; }
      a { color: inherit; text-decoration: none; }
      th button::after { content: "" !important; }
    }
    @page { margin: 14mm 12mm; }
    """

  /// Sorts a `table.sortable` by the column whose header button is pressed
  /// (numbers by value, the rest as text; a cell's `data-v` overrides its
  /// text). No framework; the report reads the same without it.
  static let script = """
    (function () {
      function key(cell, numeric) {
        var v = cell.hasAttribute('data-v') ? cell.getAttribute('data-v') : cell.textContent;
        return numeric ? parseFloat(v) || 0 : v.toLowerCase();
      }
      document.querySelectorAll('table.sortable').forEach(function (table) {
        var heads = table.tHead.rows[0].cells;
        Array.prototype.forEach.call(heads, function (th, column) {
          var button = th.querySelector('button');
          if (!button) { return; }
          button.addEventListener('click', function () {
            var numeric = th.classList.contains('num');
            var ascending = th.getAttribute('aria-sort') !== 'ascending';
            var body = table.tBodies[0];
            var rows = Array.prototype.slice.call(body.rows);
            rows.sort(function (a, b) {
              var x = key(a.cells[column], numeric), y = key(b.cells[column], numeric);
              return (x < y ? -1 : x > y ? 1 : 0) * (ascending ? 1 : -1);
            });
            rows.forEach(function (row) { body.appendChild(row); });
            Array.prototype.forEach.call(heads, function (h) { h.removeAttribute('aria-sort'); });
            th.setAttribute('aria-sort', ascending ? 'ascending' : 'descending');
          });
        });
      });
    })();
    """
}
