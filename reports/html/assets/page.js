/* mailprobe HTML report: verdict/protocol filters, expand/collapse all, and details opened for
   printing. Progressive enhancement: without this script every row is shown and every
   <details> still opens by hand. Inlined into the report, allowed by its hash in the CSP. */
/* global document, window */
(function () {
  'use strict';

  var form = document.querySelector('form[data-mp-filters]');
  if (form) {
    form.hidden = false;
    form.addEventListener('submit', function (event) {
      event.preventDefault();
    });
    form.addEventListener('change', applyFilters);
    form.querySelectorAll('button[data-mp-expand]').forEach(function (button) {
      button.addEventListener('click', function () {
        var open = button.getAttribute('data-mp-expand') === 'open';
        document.querySelectorAll('#checks tbody.mp-check:not([hidden]) details.mp-details').forEach(function (d) {
          d.open = open;
        });
      });
    });
    applyFilters();
  }

  function applyFilters() {
    var statuses = {};
    form.querySelectorAll('input[name="status"]').forEach(function (box) {
      statuses[box.value] = box.checked;
    });
    var select = form.querySelector('select[name="protocol"]');
    var protocol = select ? select.value : '';
    var shown = 0;
    var rows = document.querySelectorAll('#checks tbody.mp-check');
    rows.forEach(function (row) {
      var visible = statuses[row.getAttribute('data-status')] === true && (protocol === '' || row.getAttribute('data-protocol') === protocol);
      row.hidden = !visible;
      if (visible) shown++;
    });
    document.querySelectorAll('#checks [data-mp-group]').forEach(function (group) {
      group.hidden = group.querySelector('tbody.mp-check:not([hidden])') === null;
    });
    var empty = document.querySelector('#checks [data-mp-empty]');
    if (empty) empty.hidden = shown > 0;
    var output = form.querySelector('[data-mp-shown]');
    if (output) output.textContent = shown === rows.length ? 'showing all ' + rows.length : 'showing ' + shown + ' of ' + rows.length;
  }

  // Printing shows what a reader has to act on: the details of failures, warnings and
  // inconclusive checks open for the print and close again after, as the reader left them.
  var openedForPrint = [];
  window.addEventListener('beforeprint', function () {
    document.querySelectorAll('details[data-mp-print-open]:not([open])').forEach(function (d) {
      d.open = true;
      openedForPrint.push(d);
    });
  });
  window.addEventListener('afterprint', function () {
    openedForPrint.forEach(function (d) {
      d.open = false;
    });
    openedForPrint = [];
  });
})();
