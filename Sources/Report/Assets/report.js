// Signet's experiment page: linked UMAP maps, the Sankey of the paths, brushes, digit images.
//
// Everything it shows comes from the JSON inlined in the page (#signet-data): browsers refuse
// to fetch files from a page opened from file://. The maps are drawn into ImageData (one pixel
// write per point, no canvas call per point), so 70,000 points redraw in milliseconds; hover
// goes through a grid index.
// window.signet is a small API for the browser tests: the painted sets, the points drawn, and
// the same actions a person takes (a box in a map, a click on a Sankey node, a hover).
(function () {
  'use strict';

  const data = JSON.parse(document.getElementById('signet-data').textContent);
  const brushes = ['#e8590c', '#1c7ed6', '#2f9e44', '#ae3ec9', '#f08c00', '#0c8599', '#c2255c', '#5c940d'];
  const categorical = ['#4e79a7', '#f28e2b', '#e15759', '#76b7b2', '#59a14f', '#edc948', '#b07aa1', '#ff9da7',
    '#9c755f', '#bab0ac', '#1f77b4', '#aec7e8', '#ff7f0e', '#98df8a', '#d62728', '#9467bd'];
  const unpainted = '#c9ced6';
  const state = { view: 0, colourBy: 'label', brush: 0, mode: 'box', painted: null, maps: [], sankey: null, ready: false };
  const sprites = { images: [], waiting: [] };

  // ---------------------------------------------------------------------------------------------
  // Helpers

  function el(tag, attributes, children) {
    const node = document.createElement(tag);
    for (const [key, value] of Object.entries(attributes || {})) {
      if (key === 'text') node.textContent = value; else node.setAttribute(key, value);
    }
    for (const child of children || []) node.appendChild(child);
    return node;
  }

  function svg(tag, attributes) {
    const node = document.createElementNS('http://www.w3.org/2000/svg', tag);
    for (const [key, value] of Object.entries(attributes || {})) node.setAttribute(key, value);
    return node;
  }

  function rgb(hex) {
    const v = parseInt(hex.slice(1), 16);
    return [(v >> 16) & 255, (v >> 8) & 255, v & 255];
  }

  function view() { return data.views[state.view]; }
  function className(label) { return data.classNames[label] !== undefined ? data.classNames[label] : String(label); }
  function fixed(value, digits) { return value === null || value === undefined ? '-' : Number(value).toFixed(digits); }

  // ---------------------------------------------------------------------------------------------
  // Digit images: sheets loaded on first use, tiles drawn into small canvases.

  function drawImage(canvas, point) {
    const v = view(), context = canvas.getContext('2d');
    context.fillStyle = '#000';
    context.fillRect(0, 0, canvas.width, canvas.height);
    if (!data.sprites) return;
    const slot = v.points.image[point], tile = data.sprites.tile, per = data.sprites.perSide * data.sprites.perSide;
    const sheet = Math.floor(slot / per), position = slot % per;
    const sx = (position % data.sprites.perSide) * tile, sy = Math.floor(position / data.sprites.perSide) * tile;
    const paint = () => {
      context.imageSmoothingEnabled = false;
      context.drawImage(sprites.images[sheet], sx, sy, tile, tile, 0, 0, canvas.width, canvas.height);
      canvas.dataset.drawn = String(slot);
    };
    let image = sprites.images[sheet];
    if (!image) {
      image = new Image();
      sprites.images[sheet] = image;
      image.src = data.sprites.sheets[sheet];
    }
    if (image.complete && image.naturalWidth > 0) paint(); else image.addEventListener('load', paint, { once: true });
  }

  function tile(point, caption) {
    const canvas = el('canvas', { width: 28, height: 28 });
    drawImage(canvas, point);
    return el('div', { class: 'tile' }, [canvas, el('div', { text: caption })]);
  }

  // ---------------------------------------------------------------------------------------------
  // Painting: each point of the current view belongs to at most one brush group (-1: none).

  function resetPaint() {
    state.painted = new Int8Array(view().points.label.length).fill(-1);
  }

  function paint(points) {
    for (const i of points) state.painted[i] = state.brush;
    redraw();
  }

  function paintedSet(group) {
    const out = [];
    for (let i = 0; i < state.painted.length; i++) if (state.painted[i] === group) out.push(i);
    return out;
  }

  function groupCounts() {
    const counts = new Array(brushes.length).fill(0);
    for (const g of state.painted) if (g >= 0) counts[g]++;
    return counts;
  }

  // ---------------------------------------------------------------------------------------------
  // Maps

  // A class's colour: by its rank among the page's classes, so that two classes get the first
  // two colours whatever their labels.
  function classColour(label) {
    return categorical[(data.classRank[label] !== undefined ? data.classRank[label] : label) % categorical.length];
  }

  function pointColour(i, layer) {
    const v = view(), p = v.points;
    switch (state.colourBy) {
      case 'cluster': return categorical[p.clusters[layer][i] % categorical.length];
      case 'prediction': return classColour(p.prediction[i]);
      case 'correct': return p.prediction[i] === p.label[i] ? '#74b816' : '#e03131';
      default: return classColour(p.label[i]);
    }
  }

  function buildMaps() {
    const container = document.getElementById('maps');
    container.textContent = '';
    state.maps = [];
    const v = view();
    v.layers.forEach((layer, index) => {
      if (!layer.map) return;
      const side = 640;
      const canvas = el('canvas', { width: side, height: side, 'data-layer': layer.name });
      const overlay = el('canvas', { width: side, height: side, class: 'overlay' });
      const trust = layer.map.trust === null ? '' : ', trustworthiness ' + fixed(layer.map.trust, 3);
      const title = el('h3', {}, [document.createTextNode(layer.name + ' '), el('span', { text: '(k = ' + layer.k + trust + ')' })]);
      const box = el('div', { class: 'map' }, [title, el('div', { class: 'frame' }, [canvas, overlay])]);
      container.appendChild(box);
      const map = { layer: index, name: layer.name, canvas, overlay, side, x: layer.map.x, y: layer.map.y, grid: null, drawn: 0 };
      buildGrid(map);
      attachMapEvents(map);
      state.maps.push(map);
    });
    if (state.maps.length === 0) container.appendChild(el('p', { class: 'note', text: 'This study computed no maps (--no-umap).' }));
  }

  // Pixel position of a point: coordinates are 0 ... 9999, a margin of 12 px around.
  function pixel(map, i) {
    const margin = 12, span = map.side - 2 * margin;
    return [margin + map.x[i] * span / 9999, margin + (9999 - map.y[i]) * span / 9999];
  }

  function buildGrid(map) {
    const cells = 64, grid = new Array(cells * cells);
    for (let c = 0; c < grid.length; c++) grid[c] = [];
    for (let i = 0; i < map.x.length; i++) {
      const [px, py] = pixel(map, i);
      const cx = Math.min(cells - 1, Math.floor(px / map.side * cells)), cy = Math.min(cells - 1, Math.floor(py / map.side * cells));
      grid[cy * cells + cx].push(i);
    }
    map.grid = { cells, lists: grid };
  }

  function nearestPoint(map, px, py, radius) {
    const { cells, lists } = map.grid, size = map.side / cells;
    let best = -1, bestDistance = radius * radius;
    const x0 = Math.max(0, Math.floor((px - radius) / size)), x1 = Math.min(cells - 1, Math.floor((px + radius) / size));
    const y0 = Math.max(0, Math.floor((py - radius) / size)), y1 = Math.min(cells - 1, Math.floor((py + radius) / size));
    for (let cy = y0; cy <= y1; cy++) {
      for (let cx = x0; cx <= x1; cx++) {
        for (const i of lists[cy * cells + cx]) {
          const [qx, qy] = pixel(map, i), d = (qx - px) * (qx - px) + (qy - py) * (qy - py);
          if (d < bestDistance) { bestDistance = d; best = i; }
        }
      }
    }
    return best;
  }

  function drawMap(map) {
    const context = map.canvas.getContext('2d'), side = map.side;
    const image = context.createImageData(side, side), pixels = image.data;
    for (let k = 0; k < pixels.length; k += 4) { pixels[k] = 252; pixels[k + 1] = 252; pixels[k + 2] = 253; pixels[k + 3] = 255; }
    const anyPainted = state.painted.some((g) => g >= 0);
    const colours = new Map();
    const colourOf = (hex) => { if (!colours.has(hex)) colours.set(hex, rgb(hex)); return colours.get(hex); };
    const plot = (i, colour, radius) => {
      const [px, py] = pixel(map, i), cx = Math.round(px), cy = Math.round(py);
      for (let dy = -radius; dy <= radius; dy++) {
        const y = cy + dy;
        if (y < 0 || y >= side) continue;
        for (let dx = -radius; dx <= radius; dx++) {
          const x = cx + dx;
          if (x < 0 || x >= side) continue;
          const k = (y * side + x) * 4;
          pixels[k] = colour[0]; pixels[k + 1] = colour[1]; pixels[k + 2] = colour[2];
        }
      }
    };
    const n = map.x.length, radius = n > 20000 ? 1 : 2;
    let drawn = 0;
    // Unpainted points first (grey while anything is painted), the painted on top.
    for (let i = 0; i < n; i++) {
      if (state.painted[i] >= 0) continue;
      plot(i, colourOf(anyPainted ? unpainted : pointColour(i, map.layer)), radius);
      drawn++;
    }
    for (let i = 0; i < n; i++) {
      if (state.painted[i] < 0) continue;
      plot(i, colourOf(brushes[state.painted[i]]), radius);
      drawn++;
    }
    context.putImageData(image, 0, 0);
    map.drawn = drawn;
  }

  function canvasPoint(map, event) {
    const rect = map.canvas.getBoundingClientRect();
    return [(event.clientX - rect.left) * map.side / rect.width, (event.clientY - rect.top) * map.side / rect.height];
  }

  function pointsInBox(map, x0, y0, x1, y1) {
    const out = [], left = Math.min(x0, x1), right = Math.max(x0, x1), top = Math.min(y0, y1), bottom = Math.max(y0, y1);
    for (let i = 0; i < map.x.length; i++) {
      const [px, py] = pixel(map, i);
      if (px >= left && px <= right && py >= top && py <= bottom) out.push(i);
    }
    return out;
  }

  function pointsInLasso(map, polygon) {
    const out = [];
    for (let i = 0; i < map.x.length; i++) {
      const [px, py] = pixel(map, i);
      let inside = false;
      for (let a = 0, b = polygon.length - 1; a < polygon.length; b = a++) {
        const [ax, ay] = polygon[a], [bx, by] = polygon[b];
        if ((ay > py) !== (by > py) && px < (bx - ax) * (py - ay) / (by - ay) + ax) inside = !inside;
      }
      if (inside) out.push(i);
    }
    return out;
  }

  function attachMapEvents(map) {
    let drag = null;
    const overlay = map.overlay.getContext('2d');
    const clearOverlay = () => overlay.clearRect(0, 0, map.side, map.side);
    map.canvas.addEventListener('mousedown', (event) => {
      drag = { start: canvasPoint(map, event), path: [canvasPoint(map, event)] };
      hideTooltip();
    });
    window.addEventListener('mousemove', (event) => {
      if (!drag) return;
      const here = canvasPoint(map, event);
      drag.path.push(here);
      clearOverlay();
      overlay.strokeStyle = brushes[state.brush];
      overlay.fillStyle = brushes[state.brush] + '22';
      overlay.lineWidth = 2;
      if (state.mode === 'box') {
        const [x0, y0] = drag.start;
        overlay.fillRect(x0, y0, here[0] - x0, here[1] - y0);
        overlay.strokeRect(x0, y0, here[0] - x0, here[1] - y0);
      } else {
        overlay.beginPath();
        drag.path.forEach(([x, y], k) => (k === 0 ? overlay.moveTo(x, y) : overlay.lineTo(x, y)));
        overlay.closePath();
        overlay.fill();
        overlay.stroke();
      }
    });
    window.addEventListener('mouseup', (event) => {
      if (!drag) return;
      const end = canvasPoint(map, event), [x0, y0] = drag.start;
      const moved = Math.abs(end[0] - x0) + Math.abs(end[1] - y0) > 4;
      if (moved) {
        paint(state.mode === 'box' ? pointsInBox(map, x0, y0, end[0], end[1]) : pointsInLasso(map, drag.path));
      } else {
        const i = nearestPoint(map, end[0], end[1], 8);
        if (i >= 0) showNeighbours(i);
      }
      drag = null;
      clearOverlay();
    });
    map.canvas.addEventListener('mousemove', (event) => {
      if (drag) return;
      const [px, py] = canvasPoint(map, event), i = nearestPoint(map, px, py, 8);
      if (i < 0) hideTooltip(); else showTooltip(i, event.clientX, event.clientY);
    });
    map.canvas.addEventListener('mouseleave', hideTooltip);
  }

  // ---------------------------------------------------------------------------------------------
  // Tooltip and the clicked point's nearest neighbours

  function describe(i) {
    const v = view(), p = v.points;
    const clusters = v.layers.map((layer, l) => layer.name + ' cluster ' + p.clusters[l][i]).join(', ');
    return { title: className(p.label[i]) + ' (predicted ' + className(p.prediction[i]) + ')',
      detail: p.split[i] + ' #' + p.index[i] + ' · ' + clusters };
  }

  function showTooltip(i, x, y) {
    const tip = document.getElementById('tooltip');
    tip.textContent = '';
    const canvas = el('canvas', { width: 28, height: 28 });
    drawImage(canvas, i);
    const text = describe(i);
    tip.appendChild(canvas);
    tip.appendChild(el('div', {}, [el('b', { text: text.title })]));
    tip.appendChild(el('div', { text: text.detail }));
    tip.style.display = 'block';
    tip.style.left = (x + 14) + 'px';
    tip.style.top = (y + 14) + 'px';
    tip.dataset.point = String(i);
  }

  function hideTooltip() {
    const tip = document.getElementById('tooltip');
    tip.style.display = 'none';
    delete tip.dataset.point;
  }

  function showNeighbours(i) {
    const v = view(), box = document.getElementById('neighbours');
    box.textContent = '';
    const lists = v.neighbours;
    const text = describe(i);
    box.appendChild(el('p', { class: 'note', text: 'Clicked: ' + text.title + ', ' + text.detail }));
    if (!lists) {
      box.appendChild(el('p', { class: 'note', text: 'This report holds no nearest-neighbour lists.' }));
      return;
    }
    const row = el('div', { class: 'tiles' }, [tile(i, 'this ' + className(v.points.label[i]))]);
    for (const j of lists.indices.slice(i * lists.k, (i + 1) * lists.k)) {
      row.appendChild(tile(j, className(v.points.label[j]) + ' → ' + className(v.points.prediction[j])));
    }
    box.appendChild(el('p', { class: 'note', text: 'Its ' + lists.k + ' nearest images in ' + lists.layer + ' signature space:' }));
    box.appendChild(row);
  }

  // ---------------------------------------------------------------------------------------------
  // Sankey: label -> cluster per layer -> prediction; bands split by brush group.

  function buildSankey() {
    const v = view(), p = v.points, n = p.label.length;
    const stages = [{ name: 'label', of: (i) => p.label[i], name0: (x) => className(x) }];
    v.layers.forEach((layer, l) => stages.push({ name: layer.name, of: (i) => p.clusters[l][i],
      name0: (x) => 'c' + x + (layer.majority[x] >= 0 ? ' (' + className(layer.majority[x]) + ')' : '') }));
    stages.push({ name: 'prediction', of: (i) => p.prediction[i], name0: (x) => className(x) });
    // Node ids per stage, in order of value.
    stages.forEach((stage) => {
      const values = new Set();
      for (let i = 0; i < n; i++) values.add(stage.of(i));
      stage.values = [...values].sort((a, b) => a - b);
      stage.position = new Map(stage.values.map((x, k) => [x, k]));
    });
    state.sankey = { stages };
    drawSankey();
  }

  function drawSankey() {
    const v = view(), n = v.points.label.length, { stages } = state.sankey;
    const holder = document.getElementById('sankey');
    holder.textContent = '';
    const width = Math.max(640, holder.clientWidth || 900), height = 420, nodeWidth = 14, gap = 6, top = 22;
    const root = svg('svg', { width, height, viewBox: '0 0 ' + width + ' ' + height, id: 'sankey-svg' });
    const columnX = (s) => 40 + s * (width - 120) / (stages.length - 1);
    // Band strips: one per brush; while nothing is painted, one per class (coloured as in the
    // maps), else one grey strip for the unpainted.
    const classes = data.classOrder.length, anyPainted = state.painted.some((g) => g >= 0);
    const groups = brushes.length + classes + 1;
    const groupOf = (i) => (state.painted[i] >= 0 ? state.painted[i]
      : anyPainted ? brushes.length + classes : brushes.length + data.classRank[v.points.label[i]]);
    const groupFill = (g) => (g < brushes.length ? brushes[g] : g < brushes.length + classes ? classColour(data.classOrder[g - brushes.length]) : unpainted);
    // Node sizes and band counts split by group.
    stages.forEach((stage) => {
      stage.counts = new Array(stage.values.length).fill(0);
    });
    const bands = stages.slice(1).map(() => new Map());
    for (let i = 0; i < n; i++) {
      let previous = -1;
      stages.forEach((stage, s) => {
        const node = stage.position.get(stage.of(i));
        stage.counts[node]++;
        if (s > 0) {
          const key = previous * 4096 + node;
          let split = bands[s - 1].get(key);
          if (!split) { split = new Array(groups).fill(0); bands[s - 1].set(key, split); }
          split[groupOf(i)]++;
        }
        previous = node;
      });
    }
    const scale = (height - top - 10 - gap * 12) / n;
    stages.forEach((stage, s) => {
      let y = top;
      stage.y = stage.counts.map((count) => { const at = y; y += count * scale + gap; return at; });
      root.appendChild(Object.assign(svg('text', { x: columnX(s), y: 12, 'text-anchor': 'middle' }), { textContent: stage.name }));
    });
    // Bands, each group's share a strip of its own, stacked in node order.
    const outOffset = stages.map((stage) => stage.counts.map(() => 0));
    const inOffset = stages.map((stage) => stage.counts.map(() => 0));
    bands.forEach((map, s) => {
      const keys = [...map.keys()].sort((a, b) => a - b);
      for (const key of keys) {
        const from = Math.floor(key / 4096), to = key % 4096, split = map.get(key);
        for (let g = 0; g < groups; g++) {
          if (split[g] === 0) continue;
          const thickness = split[g] * scale;
          const y0 = stages[s].y[from] + outOffset[s][from], y1 = stages[s + 1].y[to] + inOffset[s + 1][to];
          outOffset[s][from] += thickness;
          inOffset[s + 1][to] += thickness;
          const x0 = columnX(s) + nodeWidth / 2, x1 = columnX(s + 1) - nodeWidth / 2, mid = (x0 + x1) / 2;
          const d = 'M' + x0 + ',' + y0 + ' C' + mid + ',' + y0 + ' ' + mid + ',' + y1 + ' ' + x1 + ',' + y1
            + ' L' + x1 + ',' + (y1 + thickness) + ' C' + mid + ',' + (y1 + thickness) + ' ' + mid + ',' + (y0 + thickness)
            + ' ' + x0 + ',' + (y0 + thickness) + ' Z';
          const band = svg('path', { d, class: 'band', fill: groupFill(g), opacity: g < brushes.length ? 0.8 : 0.45,
            'data-stage': s, 'data-from': from, 'data-to': to });
          band.appendChild(Object.assign(svg('title'), { textContent: split[g] + ' images' }));
          band.addEventListener('click', () => clickBand(s, from, to));
          root.appendChild(band);
        }
      }
    });
    stages.forEach((stage, s) => {
      stage.values.forEach((value, k) => {
        if (stage.counts[k] === 0) return;
        const rect = svg('rect', { x: columnX(s) - nodeWidth / 2, y: stage.y[k], width: nodeWidth, height: Math.max(1, stage.counts[k] * scale),
          class: 'node', fill: '#475467', 'data-stage': s, 'data-node': k });
        rect.appendChild(Object.assign(svg('title'), { textContent: stage.name + ' ' + stage.name0(value) + ': ' + stage.counts[k] + ' images' }));
        rect.addEventListener('click', () => clickNode(s, k));
        root.appendChild(rect);
        const label = svg('text', { x: columnX(s) + (s === stages.length - 1 ? -nodeWidth : nodeWidth), y: stage.y[k] + stage.counts[k] * scale / 2 + 4,
          'text-anchor': s === stages.length - 1 ? 'end' : 'start' });
        label.textContent = stage.name0(value);
        root.appendChild(label);
      });
    });
    holder.appendChild(root);
  }

  function membersOfNode(s, k) {
    const stage = state.sankey.stages[s], out = [];
    for (let i = 0; i < view().points.label.length; i++) if (stage.position.get(stage.of(i)) === k) out.push(i);
    return out;
  }

  function clickNode(s, k) { paint(membersOfNode(s, k)); }

  function clickBand(s, from, to) {
    const a = state.sankey.stages[s], b = state.sankey.stages[s + 1], out = [];
    for (let i = 0; i < view().points.label.length; i++) {
      if (a.position.get(a.of(i)) === from && b.position.get(b.of(i)) === to) out.push(i);
    }
    paint(out);
  }

  // ---------------------------------------------------------------------------------------------
  // Legend, reset and export

  function drawLegend() {
    const legend = document.getElementById('painted');
    legend.textContent = '';
    const counts = groupCounts();
    let any = false;
    counts.forEach((count, g) => {
      if (count === 0) return;
      any = true;
      legend.appendChild(el('span', {}, [el('span', { class: 'key', style: 'background:' + brushes[g] }), document.createTextNode(count + ' painted')]));
    });
    if (!any) {
      const labels = new Set(view().points.label);
      if (state.colourBy === 'label' || state.colourBy === 'prediction') {
        [...labels].sort((a, b) => a - b).forEach((label) => legend.appendChild(el('span', {},
          [el('span', { class: 'key', style: 'background:' + classColour(label) }), document.createTextNode(className(label))])));
      } else if (state.colourBy === 'correct') {
        legend.appendChild(el('span', {}, [el('span', { class: 'key', style: 'background:#74b816' }), document.createTextNode('correct')]));
        legend.appendChild(el('span', {}, [el('span', { class: 'key', style: 'background:#e03131' }), document.createTextNode('wrong')]));
      } else {
        legend.appendChild(el('span', { class: 'note', text: 'colours: clusters of each map\'s own layer' }));
      }
    }
  }

  function exportCSV() {
    const p = view().points, lines = ['index,split,dataset_index,label,group'];
    for (let i = 0; i < state.painted.length; i++) {
      if (state.painted[i] >= 0) lines.push([i, p.split[i], p.index[i], p.label[i], state.painted[i]].join(','));
    }
    const link = el('a', { href: URL.createObjectURL(new Blob([lines.join('\n') + '\n'], { type: 'text/csv' })), download: 'painted-groups.csv' });
    document.body.appendChild(link);
    link.click();
    link.remove();
  }

  function redraw() {
    for (const map of state.maps) drawMap(map);
    if (state.sankey) drawSankey();
    drawLegend();
  }

  // ---------------------------------------------------------------------------------------------
  // Curves and tables

  function lineChart(holder, title, series, xs, marked) {
    const width = 300, height = 150, left = 42, bottom = 22, right = 10, topMargin = 8;
    const values = series.flatMap((s) => s.values).filter((x) => x !== null && x !== undefined);
    if (values.length === 0) return;
    let low = Math.min(...values), high = Math.max(...values);
    if (low === high) { low -= 1; high += 1; }
    const x = (k) => left + (xs.length === 1 ? 0.5 : (k / (xs.length - 1))) * (width - left - right);
    const y = (value) => topMargin + (1 - (value - low) / (high - low)) * (height - topMargin - bottom);
    const root = svg('svg', { width, height });
    root.appendChild(svg('line', { x1: left, y1: height - bottom, x2: width - right, y2: height - bottom, class: 'axis' }));
    root.appendChild(svg('line', { x1: left, y1: topMargin, x2: left, y2: height - bottom, class: 'axis' }));
    [low, high].forEach((value) => root.appendChild(Object.assign(svg('text', { x: left - 4, y: y(value) + 4, 'text-anchor': 'end' }),
      { textContent: Math.abs(value) >= 1000 ? value.toExponential(1) : value.toFixed(2) })));
    xs.forEach((label, k) => root.appendChild(Object.assign(svg('text', { x: x(k), y: height - 6, 'text-anchor': 'middle' }), { textContent: String(label) })));
    if (marked !== undefined) {
      const k = xs.indexOf(marked);
      if (k >= 0) root.appendChild(svg('line', { x1: x(k), y1: topMargin, x2: x(k), y2: height - bottom, stroke: '#e8590c', 'stroke-dasharray': '3,3' }));
    }
    series.forEach((s, index) => {
      const points = s.values.map((value, k) => (value === null || value === undefined ? null : x(k) + ',' + y(value))).filter(Boolean);
      root.appendChild(svg('polyline', { points: points.join(' '), fill: 'none', stroke: categorical[index], 'stroke-width': 2 }));
      if (series.length > 1) {
        root.appendChild(Object.assign(svg('text', { x: width - right, y: topMargin + 10 + 12 * index, 'text-anchor': 'end', fill: categorical[index] }),
          { textContent: s.name }));
      }
    });
    holder.appendChild(el('div', { class: 'chart' }, [el('h3', { text: title }), root]));
  }

  function buildCurves() {
    const holder = document.getElementById('curves');
    holder.textContent = '';
    for (const layer of view().layers) {
      const ks = layer.candidates.map((c) => c.k);
      lineChart(holder, layer.name + ': silhouette by k', [{ name: 'silhouette', values: layer.candidates.map((c) => c.silhouette) }], ks, layer.k);
      lineChart(holder, layer.name + ': inertia by k', [{ name: 'inertia', values: layer.candidates.map((c) => c.inertia) }], ks, layer.k);
    }
    const training = document.getElementById('training');
    if (!training || data.history.length === 0) return;
    training.textContent = '';
    const epochs = data.history.map((e) => e.epoch);
    lineChart(training, 'loss by epoch', [{ name: 'training', values: data.history.map((e) => e.loss) },
      { name: 'validation', values: data.history.map((e) => e.validationLoss) }], epochs);
    lineChart(training, 'accuracy by epoch', [{ name: 'training', values: data.history.map((e) => e.accuracy) },
      { name: 'validation', values: data.history.map((e) => e.validationAccuracy) }], epochs);
  }

  function buildConfusion() {
    const holder = document.getElementById('confusion');
    if (!holder || !data.confusion) return;
    holder.textContent = '';
    const { labels, matrix } = data.confusion;
    const largest = Math.max(1, ...matrix.flat());
    const table = el('table', { class: 'data' });
    table.appendChild(el('tr', {}, [el('th', { text: 'true \\ predicted' }), ...labels.map((l) => el('th', { text: className(l) }))]));
    matrix.forEach((row, r) => {
      table.appendChild(el('tr', {}, [el('th', { text: className(labels[r]) }), ...row.map((count, c) => {
        const cell = el('td', { text: String(count) });
        const strength = count / largest;
        cell.style.background = r === c ? 'rgba(59,91,219,' + (0.1 + 0.5 * strength) + ')' : (count > 0 ? 'rgba(224,49,49,' + (0.1 + 0.6 * strength) + ')' : '');
        return cell;
      })]));
    });
    holder.appendChild(table);
  }

  function buildNotable() {
    const holder = document.getElementById('notable');
    holder.textContent = '';
    const v = view();
    if (v.notable.length === 0) { holder.appendChild(el('p', { class: 'note', text: 'No image left its label\'s usual cluster.' })); return; }
    const row = el('div', { class: 'tiles' });
    for (const item of v.notable.slice(0, 60)) {
      row.appendChild(tile(item.image, className(v.points.label[item.image]) + ' in ' + item.layer + ' c' + item.cluster));
    }
    holder.appendChild(row);
  }

  // ---------------------------------------------------------------------------------------------
  // Set-up

  function buildToolbar() {
    const views = document.getElementById('view');
    data.views.forEach((v, k) => views.appendChild(el('option', { value: String(k), text: v.name + ' (' + v.points.label.length + ' images)' })));
    views.addEventListener('change', () => { state.view = Number(views.value); showView(); });
    const colour = document.getElementById('colour');
    colour.addEventListener('change', () => { state.colourBy = colour.value; redraw(); });
    const swatches = document.getElementById('swatches');
    brushes.forEach((hex, g) => {
      const swatch = el('span', { class: 'swatch' + (g === 0 ? ' current' : ''), style: 'background:' + hex, title: 'brush ' + (g + 1) });
      swatch.addEventListener('click', () => {
        state.brush = g;
        [...swatches.children].forEach((s, k) => s.classList.toggle('current', k === g));
      });
      swatches.appendChild(swatch);
    });
    const mode = document.getElementById('mode');
    mode.addEventListener('change', () => { state.mode = mode.value; });
    document.getElementById('reset').addEventListener('click', () => { resetPaint(); redraw(); });
    document.getElementById('export').addEventListener('click', exportCSV);
  }

  function showView() {
    resetPaint();
    buildMaps();
    buildSankey();
    buildCurves();
    buildNotable();
    redraw();
    document.getElementById('neighbours').textContent = '';
  }

  buildToolbar();
  buildConfusion();
  showView();
  performance.mark('signet-first-render');
  state.ready = true;

  window.signet = {
    get ready() { return state.ready; },
    views: () => data.views.map((v) => v.name),
    pointCount: () => view().points.label.length,
    maps: () => state.maps.map((m) => ({ layer: m.name, drawn: m.drawn })),
    // A box in map `index`, in the map's own coordinates (0 ... 9999, y up), painted as a drag would.
    paintBox: (index, x0, y0, x1, y1) => {
      const map = state.maps[index], points = [];
      for (let i = 0; i < map.x.length; i++) {
        if (map.x[i] >= x0 && map.x[i] <= x1 && map.y[i] >= y0 && map.y[i] <= y1) points.push(i);
      }
      paint(points);
      return points.length;
    },
    // Where map `index` draws point `i`, in page pixels (for a real mouse over WebDriver).
    pointOnPage: (index, i) => {
      const map = state.maps[index], rect = map.canvas.getBoundingClientRect(), [px, py] = pixel(map, i);
      return { x: rect.left + px * rect.width / map.side, y: rect.top + py * rect.height / map.side };
    },
    setBrush: (g) => { state.brush = g; },
    painted: (group) => paintedSet(group),
    sankeyBands: () => [...document.querySelectorAll('#sankey-svg .band')].map((b) => ({ stage: Number(b.dataset.stage), fill: b.getAttribute('fill') })),
    sankeyNodeMembers: (stage, node) => membersOfNode(stage, node),
    // The colour map `index` shows at point `i` (hex), read back from its canvas.
    colourAt: (index, i) => {
      const map = state.maps[index], [px, py] = pixel(map, i);
      const [r, g, b] = map.canvas.getContext('2d').getImageData(Math.round(px), Math.round(py), 1, 1).data;
      return '#' + [r, g, b].map((v) => v.toString(16).padStart(2, '0')).join('');
    },
    brushColour: (g) => brushes[g],
    // The sprite slot the tooltip's image shows once its sheet has loaded and it is drawn, else
    // -1. (Its pixels cannot be read back: an image from file:// taints the canvas.)
    tooltipImage: () => {
      const canvas = document.querySelector('#tooltip canvas');
      return canvas && canvas.dataset.drawn !== undefined ? Number(canvas.dataset.drawn) : -1;
    },
    imageSlot: (i) => view().points.image[i],
    tooltipPoint: () => { const p = document.getElementById('tooltip').dataset.point; return p === undefined ? -1 : Number(p); },
    reset: () => { resetPaint(); redraw(); },
  };
})();
