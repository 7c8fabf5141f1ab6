// Moved out of the page's template: the Content-Security-Policy runs no inline script.
(function () {
  var form = document.getElementById('record-form');
  if (!form) return;
  var block = document.getElementById('ticket-block'), box = document.getElementById('openTicket'), hint = document.getElementById('ticket-hint');
  function lowPicked() { return form.querySelector('input[data-low]:checked') !== null; }
  form.addEventListener('change', function (e) {
    if (e.target.name && e.target.name.indexOf('answer.') === 0) {
      var low = lowPicked();
      hint.hidden = !low;
      if (low) { block.open = true; if (block.dataset.action === 'propose') box.checked = true; }
    }
  });
  form.addEventListener('submit', function (e) {
    var button = e.submitter;
    if (button && button.value === 'callbackRequested' && !document.getElementById('callbackAt').value) {
      e.preventDefault();
      document.getElementById('callbackAt').focus();
    }
  });
  document.addEventListener('keydown', function (e) {
    var tag = (e.target.tagName || '').toLowerCase();
    if (tag === 'textarea' || (tag === 'input' && e.target.type !== 'radio' && e.target.type !== 'checkbox') || tag === 'select' || e.ctrlKey || e.metaKey || e.altKey) return;
    var button = form.querySelector('button.outcome[data-key="' + e.key.toUpperCase() + '"]');
    if (button) { e.preventDefault(); button.click(); }
  });
  var first = form.querySelector('.question input[type=radio], .question textarea');
  if (first) first.focus();
})();
