/** The pages' only style sheet and script: constant text of our own, served under the CSP nonce. */

export const CSS = `
:root{font-family:system-ui,-apple-system,"Segoe UI",sans-serif;color:#1b1b1b;background:#f5f5f5;line-height:1.5}
body{margin:0}header{background:#1b3a5c;color:#fff;padding:1rem 2rem;display:flex;flex-wrap:wrap;gap:1rem;align-items:center;justify-content:space-between}
header h1{font-size:1.25rem;margin:0}header a,header button{color:#fff}main{max-width:60rem;margin:0 auto;padding:1.5rem 2rem}
section.product{background:#fff;border:1px solid #c8c8c8;border-radius:6px;padding:1rem 1.25rem;margin:1rem 0}
section.product h2{font-size:1.05rem;margin:0 0 .5rem}.state{font-weight:600}.state.on{color:#0b6a0b}.state.off{color:#8a1c1c}.state.observe{color:#7a4f00}
.meta{color:#4a4a4a;font-size:.9rem;margin:.25rem 0}button,.button{font:inherit;padding:.4rem 1rem;border-radius:4px;border:1px solid #1b3a5c;background:#1b3a5c;color:#fff;cursor:pointer;text-decoration:none;display:inline-block}
button.secondary,.button.secondary{background:#fff;color:#1b3a5c}header button{background:transparent;border-color:#fff}
.flash{padding:.6rem 1rem;border-radius:4px;background:#e6f2e6;border:1px solid #0b6a0b}.flash.error{background:#fbeaea;border-color:#8a1c1c}
.note{background:#fff8e1;border:1px solid #b58900;padding:.6rem 1rem;border-radius:4px}
dialog{max-width:32rem;border:1px solid #888;border-radius:6px}dialog::backdrop{background:rgba(0,0,0,.4)}
label{display:block;margin:.5rem 0 .25rem;font-weight:600}textarea,input,select{font:inherit;width:100%;box-sizing:border-box;padding:.4rem}
table{border-collapse:collapse;width:100%;background:#fff}th,td{border:1px solid #c8c8c8;padding:.4rem .6rem;text-align:left;vertical-align:top}
.actions{display:flex;gap:.5rem;margin-top:1rem}.inline{display:inline}
.report-product h3{font-size:1rem;margin:1rem 0 .25rem}table.report{width:auto;margin:.25rem 0}svg.chart{display:block;max-width:100%;height:auto;margin:.5rem 0}
.legend{display:flex;gap:1.25rem;flex-wrap:wrap;font-size:.9rem;margin:.25rem 0}.swatch{display:inline-block;width:.9rem;height:.9rem;vertical-align:middle;margin-right:.35rem;border:1px solid #6a6a6a}
.swatch.moved{background:#1b3a5c}.swatch.stayed{background:#9fb6cf}.charts{display:flex;flex-wrap:wrap;gap:1.5rem;align-items:flex-start}
form.filters{display:grid;grid-template-columns:repeat(auto-fit,minmax(12rem,1fr));gap:.5rem 1rem;align-items:end;background:#fff;border:1px solid #c8c8c8;border-radius:6px;padding:.75rem 1rem;margin:1rem 0}
form.filters .actions{margin-top:0}details{margin:.5rem 0}summary{cursor:pointer;color:#1b3a5c}
`;

// Progressive enhancement: with script, the confirmation opens in a dialog on the same page;
// without it, the same button goes to the confirmation page.
// The schedule form: the time is the admin's own; the script shows its zone, the UTC instant it
// stands for and the current time, and sends that instant as atUtc.
export const SCRIPT = `(function(){var f=document.querySelector('form[data-schedule-form]');if(!f)return;var at=f.querySelector('#schedule-at'),utc=f.querySelector('#schedule-at-utc'),show=f.querySelector('#schedule-utc'),label=f.querySelector('#schedule-at-label'),now=f.querySelector('#schedule-now');var lang=document.documentElement.lang==='nl'?'nl-NL':'en-GB',zone=Intl.DateTimeFormat().resolvedOptions().timeZone||'local';label.textContent=label.getAttribute('data-local-label').replace('{zone}',zone);var fmt=function(d,tz){return d.toLocaleString(lang,{dateStyle:'long',timeStyle:'short',timeZone:tz})+(tz==='UTC'?' UTC':'');};var update=function(){var d=at.value?new Date(at.value):null;if(!d||isNaN(d.getTime())){utc.value='';show.textContent='';return;}utc.value=d.toISOString();show.textContent=show.getAttribute('data-template').replace('{utc}',fmt(d,'UTC'));};at.addEventListener('input',update);update();var n=new Date();now.textContent=now.getAttribute('data-template').replace('{local}',fmt(n)).replace('{utc}',fmt(n,'UTC'));})();document.querySelectorAll('form[data-confirm]').forEach(function(f){f.addEventListener('submit',function(e){var d=document.getElementById(f.getAttribute('data-confirm'));if(d&&d.showModal){e.preventDefault();d.showModal();}});});document.querySelectorAll('[data-close]').forEach(function(b){b.addEventListener('click',function(){b.closest('dialog').close();});});`;
