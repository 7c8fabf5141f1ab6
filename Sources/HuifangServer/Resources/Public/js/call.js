// Moved out of the page's template: the Content-Security-Policy runs no inline script.
(function () {
  const form = document.getElementById("call-form");
  const show = () => {
    const handling = (form.querySelector("input[name=handling]:checked") || {}).value;
    form.querySelectorAll("[data-when]").forEach(el => { el.hidden = el.dataset.when !== handling; });
  };
  form.querySelectorAll("input[name=handling]").forEach(el => el.addEventListener("change", show));
  show();
  const phone = document.getElementById("phone"), caller = document.getElementById("caller"), name = document.getElementById("name");
  const lookup = async () => {
    const value = phone.value.trim();
    if (value.length < 7) { caller.textContent = ""; return; }
    // A number shown masked came from a ringing call: the server looks the caller up by the call.
    const phoneCall = form.querySelector("input[name=phoneCall]");
    const query = value.includes("*") && phoneCall && phoneCall.value ? "call=" + encodeURIComponent(phoneCall.value)
      : "phone=" + encodeURIComponent(value);
    const response = await fetch("/calls/lookup?" + query, {headers: {Accept: "application/json"}});
    if (!response.ok) return;
    const found = await response.json();
    if (found.length === 0) {
      caller.textContent = form.dataset.newCaller;
      name.required = true;
    } else {
      const c = found[0];
      caller.innerHTML = "";
      const link = document.createElement("a");
      link.href = "/customers/" + c.id; link.textContent = c.name; link.id = "caller-name";
      caller.append(form.dataset.knownCaller + " ", link, " · " + c.tier + (c.openTickets ? " · " + form.dataset.openTickets + c.openTickets : ""));
      name.required = false; name.value = "";
    }
  };
  phone.addEventListener("change", lookup);
  phone.addEventListener("blur", lookup);
  if (phone.value) lookup();  // opened from a ringing call's pop-up: the caller is known at once
  const query = document.getElementById("kb-query"), results = document.getElementById("kb-results"), article = document.getElementById("articleID");
  let timer;
  query.addEventListener("input", () => {
    clearTimeout(timer);
    timer = setTimeout(async () => {
      const response = await fetch("/kb/search?q=" + encodeURIComponent(query.value), {headers: {Accept: "application/json"}});
      if (!response.ok) return;
      results.innerHTML = "";
      for (const a of await response.json()) {
        const li = document.createElement("li");
        const q = document.createElement("strong"); q.textContent = a.question;
        const p = document.createElement("div"); p.textContent = a.answer; p.className = "prewrap";
        const use = document.createElement("button"); use.type = "button"; use.textContent = form.dataset.use; use.className = "link";
        use.addEventListener("click", () => {
          article.value = a.id;
          form.querySelector("input[name=handling][value=answered]").checked = true; show();
          const summary = document.getElementById("summary");
          if (!summary.value.trim()) summary.value = a.question;
          results.querySelectorAll("li").forEach(x => x.classList.remove("chosen")); li.classList.add("chosen");
        });
        li.append(q, " ", use, p);
        results.append(li);
      }
    }, 200);
  });
})();
