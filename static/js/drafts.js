// Never lose typed work. Every <form data-draft-key="..."> is protected:
// - while the person types, its fields are saved as their draft (POST /drafts/save),
//   and a status line by the submit button says when;
// - when a save fails because the connection is lost, the fields wait in this tab's
//   sessionStorage (never localStorage) and are saved when the browser is back online;
// - the server puts a saved draft back into the form when the page is opened again
//   (caseapp/web/drafts.py), so restoring needs no script.
// The server adds a hidden draft_key field to each protected form, so the form's own
// fields, posted as they are, are exactly what a draft saves.

const SAVE_DELAY_MS = 1500
const SAVE_URL = '/drafts/save'
const DISCARD_URL = '/drafts/discard'
const STORAGE_PREFIX = 'caseapp-draft:'
const NEVER_SENT_TYPES = new Set(['password', 'file'])

const OFFLINE = 'Not saved: you seem to be offline. Keep this page open; we will save when you reconnect.'
const FAILED = 'Not saved: something went wrong. Keep this page open; we will try again when you next type.'
const SESSION_ENDED = 'Your session has ended. What you typed is kept: sign in again to carry on.'

// Tells session-warning.js that the server has just seen this person, or has signed them out.
export const SESSION_RENEWED = 'caseapp:session-renewed'
export const SESSION_ENDED_EVENT = 'caseapp:session-ended'

const keepers = new WeakMap()

class DraftKeeper {
  constructor (form) {
    this.form = form
    this.key = form.dataset.draftKey
    this.timer = null
    this.inFlight = null
    this.again = false
    this.submitting = false
    this.status = this.addStatusLine()

    form.addEventListener('input', () => this.schedule())
    form.addEventListener('change', () => this.schedule())
    form.addEventListener('submit', (event) => this.onSubmit(event))
    window.addEventListener('online', () => {
      if (this.storedCopy()) this.save()
    })
    this.resumeStoredCopy()
  }

  addStatusLine () {
    // A live region must be in the page before its text changes, or nothing is read out.
    const status = document.createElement('p')
    status.className = 'govuk-body-s app-draft-status'
    status.setAttribute('role', 'status')
    status.setAttribute('aria-live', 'polite')
    const submit = this.form.querySelector('button[type="submit"]:not([formaction]), input[type="submit"]')
    const anchor = submit ? (submit.closest('.govuk-button-group') || submit) : null
    if (anchor) anchor.before(status)
    else this.form.append(status)
    return status
  }

  say (message, problem = false) {
    this.status.textContent = message
    this.status.classList.toggle('app-draft-status--problem', problem)
  }

  schedule () {
    if (this.submitting) return
    clearTimeout(this.timer)
    this.timer = setTimeout(() => this.save(), SAVE_DELAY_MS)
  }

  fields () {
    const secret = new Set(
      Array.from(this.form.elements)
        .filter((field) => NEVER_SENT_TYPES.has(field.type))
        .map((field) => field.name)
    )
    const body = new URLSearchParams()
    for (const [name, value] of new FormData(this.form)) {
      if (typeof value === 'string' && !secret.has(name)) body.append(name, value)
    }
    if (!body.has('draft_key')) body.append('draft_key', this.key)
    return body
  }

  save () {
    clearTimeout(this.timer)
    this.timer = null
    if (this.inFlight) {
      // One save at a time, so an older one can never land after a newer one.
      this.again = true
      return this.inFlight
    }
    const body = this.fields()
    this.inFlight = this.send(body).finally(() => {
      this.inFlight = null
      if (this.again && !this.submitting) {
        this.again = false
        this.save()
      }
    })
    return this.inFlight
  }

  async send (body) {
    if (!navigator.onLine) {
      // No point asking: keep it, and save when the browser says it is back online.
      this.keepCopy(body)
      this.say(OFFLINE, true)
      return
    }
    let response
    try {
      response = await fetch(SAVE_URL, { method: 'POST', body, credentials: 'same-origin' })
    } catch (error) {
      this.keepCopy(body)
      this.say(OFFLINE, true)
      return
    }
    if (response.status === 401 || response.redirected) {
      // web/sessions.py kept what was posted before it signed the person out.
      this.forgetCopy()
      this.say(SESSION_ENDED, true)
      document.dispatchEvent(new CustomEvent(SESSION_ENDED_EVENT))
      return
    }
    const answer = await response.json().catch(() => ({}))
    if (!response.ok) {
      this.keepCopy(body)
      this.say(answer.message || FAILED, true)
      return
    }
    this.forgetCopy()
    this.say(answer.message)
    document.dispatchEvent(new CustomEvent(SESSION_RENEWED))
  }

  onSubmit (event) {
    clearTimeout(this.timer)
    if (this.form.matches('[hx-post], [data-hx-post], [hx-put], [data-hx-put]')) return
    if (this.inFlight && !event.defaultPrevented) {
      // Let the draft save finish first, so it cannot land after the form is saved
      // (and bring back the draft the form's save has just ended).
      event.preventDefault()
      const submitter = event.submitter
      this.inFlight.then(() => this.form.requestSubmit(submitter))
      return
    }
    this.submitting = true
  }

  // --- the offline copy, in this tab only ----------------------------------------------

  storageName () {
    return STORAGE_PREFIX + this.key
  }

  storedCopy () {
    try {
      return window.sessionStorage.getItem(this.storageName())
    } catch (error) {
      return null
    }
  }

  keepCopy (body) {
    const kept = new URLSearchParams(body)
    kept.delete('csrf_token')
    try {
      window.sessionStorage.setItem(this.storageName(), kept.toString())
    } catch (error) {
      // Storage full or refused: the page itself still holds what was typed.
    }
  }

  forgetCopy () {
    try {
      window.sessionStorage.removeItem(this.storageName())
    } catch (error) {
      // Nothing was kept.
    }
  }

  resumeStoredCopy () {
    // A copy left by a save that failed (the page was reloaded while offline, say) is
    // newer than anything the server restored: put it back and save it.
    const copy = this.storedCopy()
    if (!copy) return
    fillForm(this.form, new URLSearchParams(copy))
    this.save()
  }
}

function fillForm (form, values) {
  const placed = new Map()
  for (const field of form.elements) {
    const name = field.name
    if (!name || name === 'csrf_token' || name === 'draft_key' || NEVER_SENT_TYPES.has(field.type)) continue
    const all = values.getAll(name)
    if (field.type === 'checkbox' || field.type === 'radio') {
      field.checked = all.includes(field.value)
    } else if (field.tagName === 'SELECT') {
      for (const option of field.options) option.selected = all.includes(option.value)
    } else if (all.length > 0 && 'value' in field && field.type !== 'submit' && field.type !== 'button') {
      const index = placed.get(name) || 0
      if (index < all.length) field.value = all[index]
      placed.set(name, index + 1)
    }
  }
}

export function protectForms (root = document) {
  const forms = root.matches && root.matches('form[data-draft-key]')
    ? [root]
    : root.querySelectorAll('form[data-draft-key]')
  for (const form of forms) {
    if (!keepers.has(form)) keepers.set(form, new DraftKeeper(form))
  }
}

function keeperFor (element) {
  const form = element instanceof Element ? element.closest('form[data-draft-key]') : null
  return form ? keepers.get(form) : undefined
}

// An htmx form waits for a draft save under way, for the same reason as a plain one.
document.addEventListener('htmx:confirm', (event) => {
  const keeper = keeperFor(event.detail.elt)
  if (!keeper || !keeper.inFlight) return
  event.preventDefault()
  keeper.inFlight.then(() => event.detail.issueRequest(true))
})

// A form saved by htmx: its draft has done its job. (Its save service also ends the
// draft on the server; this covers a form whose service does not.) An answer that
// shows the form again with errors is not a save.
document.addEventListener('htmx:afterRequest', (event) => {
  const keeper = keeperFor(event.detail.elt)
  if (!keeper || !event.detail.successful) return
  const answer = event.detail.xhr ? event.detail.xhr.responseText : ''
  if (answer.includes('govuk-error-summary')) return
  clearTimeout(keeper.timer)
  keeper.forgetCopy()
  const body = new URLSearchParams({ form_key: keeper.key })
  const token = document.querySelector('input[name="csrf_token"]')
  if (token) body.append('csrf_token', token.value)
  fetch(DISCARD_URL, { method: 'POST', body, credentials: 'same-origin' }).catch(() => {})
})

// Discarding a restored draft throws away this tab's copy too.
document.addEventListener('submit', (event) => {
  const form = event.target
  if (form instanceof HTMLFormElement && form.dataset.draftDiscard) {
    window.sessionStorage.removeItem(STORAGE_PREFIX + form.dataset.draftDiscard)
  }
  // getAttribute, not form.action: a field named "action" would shadow the property.
  const action = form instanceof HTMLFormElement ? form.getAttribute('action') : null
  if (action && new URL(action, window.location.href).pathname === '/sign-out') {
    forgetAllCopies()
  }
}, true)

export function forgetAllCopies () {
  try {
    for (const name of Object.keys(window.sessionStorage)) {
      if (name.startsWith(STORAGE_PREFIX)) window.sessionStorage.removeItem(name)
    }
  } catch (error) {
    // Storage refused: there is nothing of ours in it.
  }
}
