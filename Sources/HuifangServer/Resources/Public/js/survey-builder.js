// Moved out of the page's template: the Content-Security-Policy runs no inline script.
(function () {
  var list = document.getElementById('questions');
  document.getElementById('add-question').addEventListener('click', function () {
    list.appendChild(document.getElementById('question-template').content.cloneNode(true));
    list.lastElementChild.querySelector('[data-field=text]').focus();
  });
  list.addEventListener('click', function (e) {
    var row = e.target.closest('.question-row');
    if (!row) return;
    if (e.target.classList.contains('remove')) row.remove();
    if (e.target.classList.contains('move-up') && row.previousElementSibling) list.insertBefore(row, row.previousElementSibling);
    if (e.target.classList.contains('move-down') && row.nextElementSibling) list.insertBefore(row.nextElementSibling, row);
  });
  // Names follow the order on screen, which is the order of the questions.
  document.getElementById('survey-form').addEventListener('submit', function () {
    Array.prototype.forEach.call(list.children, function (row, n) {
      row.querySelectorAll('[data-field]').forEach(function (field) { field.name = 'q.' + n + '.' + field.dataset.field; });
    });
  });
})();
