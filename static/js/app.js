// caseapp front-end entry point. Load with:
//   <script type="module" src="/static/js/app.js"></script>
// It is a separate file because the Content-Security-Policy allows no inline
// script.
import { initAll } from '/static/vendor/govuk-frontend/govuk-frontend.min.js'
import { protectForms } from './drafts.js'
import { watchSession } from './session-warning.js'

// Replaces the inline snippet in GOV.UK Frontend's page template. Only browsers
// that run ES modules get here, which is the test GOV.UK Frontend uses.
document.body.classList.add('govuk-frontend-supported')

// A component that is already initialised throws an InitError (v6 marks its
// root with data-<module>-init). That is expected when we re-scan content that
// htmx has swapped in, so ignore it; report anything else.
function onError (error) {
  if (error && error.name === 'InitError') return
  console.error(error)
}

function initGovukFrontend () {
  initAll({ onError })
  protectForms()
  watchSession()
}

if (document.readyState === 'loading') {
  document.addEventListener('DOMContentLoaded', initGovukFrontend)
} else {
  initGovukFrontend()
}

// Set up GOV.UK Frontend components in content that htmx has just swapped in.
// The event fires on each settled element: the target of an innerHTML swap, or
// each new top-level element of an outerHTML swap. Search only there, so the
// rest of the page is left alone. GOV.UK Frontend looks for components *inside*
// the scope, so when the new element is a component root itself, search its
// parent; components there that are already set up are skipped (see onError).
document.addEventListener('htmx:afterSettle', function (event) {
  const elt = event.detail && event.detail.elt
  if (!(elt instanceof Element) || !elt.isConnected) return

  const scope = elt.matches('[data-module]') ? elt.parentElement : elt
  if (scope) initAll({ scope, onError })
  protectForms(elt)
})
