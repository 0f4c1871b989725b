/* mailprobe HTML report: draws the bench charts with uPlot (inlined before this script) from
   the page's JSON data block (id mp-data), which holds each bench run's data by the id of its
   section; a chart container names its run in data-mp-bench (a demo report has several runs,
   each with its own charts). It plots the numbers the report carries and computes none. Colours come from the stylesheet's custom properties, so
   the charts follow light/dark and are redrawn when the colour scheme changes. */
/* global document, window, uPlot, ResizeObserver, getComputedStyle */
(function () {
  'use strict';

  var source = document.getElementById('mp-data');
  if (!source || typeof uPlot !== 'function') return;
  var data = JSON.parse(source.textContent || '{}');
  var charts = [];

  function css(name) {
    return getComputedStyle(document.documentElement).getPropertyValue(name).trim();
  }

  function palette() {
    var out = [];
    for (var i = 0; i < 12; i++) out.push(css('--series-' + i) || '#0969da');
    return out;
  }

  function msText(v) {
    if (v === null || v === undefined) return '–';
    if (v >= 1000) return (v / 1000).toFixed(2) + ' s';
    if (v >= 100) return v.toFixed(0) + ' ms';
    if (v >= 10) return v.toFixed(1) + ' ms';
    if (v >= 1) return v.toFixed(2) + ' ms';
    return Number(v.toPrecision(2)) + ' ms';
  }

  function countText(v) {
    return v === null || v === undefined ? '–' : Math.round(v).toLocaleString('en-US');
  }

  function axis(label, extra) {
    var a = {
      label: label,
      stroke: css('--muted'),
      grid: { stroke: css('--grid'), width: 1 },
      ticks: { stroke: css('--grid'), width: 1 },
      labelFont: '600 12px system-ui, sans-serif',
      font: '12px system-ui, sans-serif',
    };
    for (var k in extra) a[k] = extra[k];
    return a;
  }

  /* Marks the container once uPlot has drawn into it: tests and readers can tell a drawn chart
     from a fallback. */
  function drawnHook(el) {
    return function () {
      el.setAttribute('data-mp-drawn', 'true');
    };
  }

  function spectrum(el, d) {
    var colours = palette();
    var x = d.x;
    var ticks = d.ticks;
    var series = [
      {
        label: 'percentile',
        value: function (u, v) {
          var i = x.indexOf(v);
          return i < 0 ? '–' : ticks[i];
        },
      },
    ];
    d.series.forEach(function (s, i) {
      series.push({
        label: s.name,
        stroke: colours[i % colours.length],
        width: 2,
        dash: i < colours.length ? undefined : [6, 4],
        points: { show: true, size: 6 },
        spanGaps: true,
        value: function (u, v) {
          return msText(v);
        },
      });
    });
    return {
      height: 340,
      opts: {
        scales: { x: { time: false, distr: 3 }, y: { distr: 3 } },
        axes: [
          axis('percentile (log scale on 1/(1-p))', {
            splits: function () {
              return x.slice();
            },
            // Label every point: a log axis would otherwise label only the powers of ten.
            filter: function (u, splits) {
              return splits;
            },
            values: function (u, splits) {
              return splits.map(function (v) {
                var i = x.indexOf(v);
                return i < 0 ? '' : ticks[i];
              });
            },
          }),
          axis('latency, ms (log)', { size: 60 }),
        ],
        series: series,
      },
      data: [x].concat(
        d.series.map(function (s) {
          return s.y;
        }),
      ),
    };
  }

  /* Whole seconds on the timeline's x axis. */
  var SECOND_INCRS = [1, 2, 5, 10, 15, 30, 60, 120, 300, 600, 900, 1800, 3600, 7200, 14400, 28800, 86400];

  function throughput(el, d, run) {
    var per = d.step === 1 ? 'per second' : 'per ' + d.step + ' s';
    return {
      height: 220,
      opts: {
        scales: { x: { time: false } },
        cursor: { sync: { key: 'mp-timeline-' + run } },
        axes: [axis('seconds since the measured run began', { incrs: SECOND_INCRS }), axis('iterations ' + per, { size: 60 })],
        series: [
          { label: 't (s)' },
          { label: 'completed', stroke: css('--series-0'), width: 2, fill: css('--grid'), value: function (u, v) { return countText(v); } },
          { label: 'failed', stroke: css('--fail'), width: 2, value: function (u, v) { return countText(v); } },
        ],
      },
      data: [d.t, d.ops, d.errors],
    };
  }

  function latency(el, d, run) {
    return {
      height: 220,
      opts: {
        scales: { x: { time: false }, y: { distr: 3 } },
        cursor: { sync: { key: 'mp-timeline-' + run } },
        axes: [axis('seconds since the measured run began', { incrs: SECOND_INCRS }), axis('latency, ms (log)', { size: 60 })],
        series: [
          { label: 't (s)' },
          { label: 'p50', stroke: css('--series-2'), width: 2, value: function (u, v) { return msText(v); } },
          { label: 'p99', stroke: css('--series-4'), width: 2, value: function (u, v) { return msText(v); } },
        ],
      },
      data: [d.t, d.p50, d.p99],
    };
  }

  /* Each builder gets its run's data and id; a run's two timeline charts share a cursor, and
     only with each other. */
  var BUILDERS = {
    spectrum: function (el, d) {
      return d.spectrum ? spectrum(el, d.spectrum) : null;
    },
    throughput: function (el, d, run) {
      return d.timeline ? throughput(el, d.timeline, run) : null;
    },
    latency: function (el, d, run) {
      return d.timeline ? latency(el, d.timeline, run) : null;
    },
  };

  /* The run's data: an own property only, so an id can never reach Object.prototype. */
  function runData(run) {
    return run !== null && Object.prototype.hasOwnProperty.call(data, run) ? data[run] : null;
  }

  function width(el) {
    return Math.max(320, Math.floor(el.clientWidth || el.getBoundingClientRect().width || 800));
  }

  function drawAll() {
    charts.forEach(function (c) {
      c.plot.destroy();
    });
    charts = [];
    document.querySelectorAll('[data-mp-chart]').forEach(function (el) {
      var name = el.getAttribute('data-mp-chart');
      var run = el.getAttribute('data-mp-bench');
      var d = runData(run);
      var build = Object.prototype.hasOwnProperty.call(BUILDERS, name) ? BUILDERS[name] : null;
      var spec = build && d ? build(el, d, run) : null;
      if (!spec) return;
      el.textContent = '';
      var opts = spec.opts;
      opts.width = width(el);
      opts.height = spec.height;
      opts.legend = { show: true, live: true };
      opts.hooks = { draw: [drawnHook(el)] };
      charts.push({ el: el, height: spec.height, plot: new uPlot(opts, spec.data, el) });
    });
  }

  drawAll();

  if (typeof ResizeObserver === 'function') {
    var observer = new ResizeObserver(function () {
      charts.forEach(function (c) {
        var w = width(c.el);
        if (w !== c.plot.width) c.plot.setSize({ width: w, height: c.height });
      });
    });
    charts.forEach(function (c) {
      observer.observe(c.el);
    });
  }

  // Colours are read when a chart is built: rebuild when the reader's colour scheme changes.
  if (window.matchMedia) {
    var scheme = window.matchMedia('(prefers-color-scheme: dark)');
    if (scheme.addEventListener) scheme.addEventListener('change', drawAll);
  }
})();
