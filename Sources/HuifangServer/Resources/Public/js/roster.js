// The roster form: a day's start and end are asked only for a custom shift.
(function () {
  function show(select) {
    var day = select.closest('.roster-day');
    if (day) day.classList.toggle('custom', select.value === 'custom');
  }
  document.querySelectorAll('select[data-shift]').forEach(function (select) {
    show(select);
    select.addEventListener('change', function () { show(select); });
  });
})();
