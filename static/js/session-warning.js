// Warn before the idle timeout signs the person out (templates/_partials/session_warning.html).
// The clock restarts whenever the server sees them: any htmx request, a draft save, or
// "Stay signed in", which posts to the keep-alive endpoint.

import { SESSION_ENDED_EVENT, SESSION_RENEWED } from './drafts.js'

class SessionWarning {
  constructor (dialog) {
    this.dialog = dialog
    this.idleMs = Number(dialog.dataset.idleSeconds) * 1000
    this.warnMs = Number(dialog.dataset.warnSeconds) * 1000
    this.warning = dialog.querySelector('[data-session-state="warning"]')
    this.ended = dialog.querySelector('[data-session-state="ended"]')
    this.endsAt = dialog.querySelector('[data-session-ends]')
    this.warnTimer = null
    this.endTimer = null
    this.countdown = null
    this.signedOut = false

    dialog.querySelector('[data-keep-alive]').addEventListener('submit', (event) => {
      event.preventDefault()
      this.stay()
    })
    // Escape means the person is here: treat it as "Stay signed in".
    dialog.addEventListener('cancel', (event) => {
      if (this.signedOut) return
      event.preventDefault()
      this.stay()
    })
    document.addEventListener('htmx:afterRequest', () => this.restart())
    document.addEventListener(SESSION_RENEWED, () => this.restart())
    document.addEventListener(SESSION_ENDED_EVENT, () => this.showEnded())
    this.restart()
  }

  restart () {
    if (this.signedOut) return
    clearTimeout(this.warnTimer)
    clearTimeout(this.endTimer)
    clearInterval(this.countdown)
    const endAt = Date.now() + this.idleMs
    this.warnTimer = setTimeout(() => this.showWarning(endAt), Math.max(this.idleMs - this.warnMs, 0))
    this.endTimer = setTimeout(() => this.showEnded(), this.idleMs)
    if (this.dialog.open) this.dialog.close()
  }

  showWarning (endAt) {
    const tell = () => {
      const minutes = Math.max(Math.ceil((endAt - Date.now()) / 60000), 1)
      this.endsAt.textContent = `in ${minutes} minute${minutes === 1 ? '' : 's'}`
    }
    tell()
    this.countdown = setInterval(tell, 15000)
    this.show(this.warning, 'session-warning-title')
  }

  showEnded () {
    if (this.signedOut) return
    this.signedOut = true
    clearTimeout(this.warnTimer)
    clearTimeout(this.endTimer)
    clearInterval(this.countdown)
    // Opening this page again goes through sign-in and back here, with any draft restored.
    this.ended.querySelector('[data-sign-in-again]').href = window.location.pathname + window.location.search
    if (this.dialog.open) this.dialog.close()
    this.show(this.ended, 'session-ended-title')
  }

  show (state, titleId) {
    this.warning.hidden = state !== this.warning
    this.ended.hidden = state !== this.ended
    this.dialog.setAttribute('aria-labelledby', titleId)
    // showModal moves focus to the first button or link in the dialog.
    this.dialog.showModal()
  }

  async stay () {
    const form = this.dialog.querySelector('[data-keep-alive]')
    try {
      const response = await fetch(form.getAttribute('action'), {
        method: 'POST',
        body: new URLSearchParams(new FormData(form)),
        credentials: 'same-origin'
      })
      if (response.status === 401 || response.redirected) {
        this.showEnded()
        return
      }
    } catch (error) {
      // Offline: nothing was renewed, so the warning stays until the person tries again.
      return
    }
    this.restart()
  }
}

export function watchSession () {
  const dialog = document.getElementById('session-warning')
  if (dialog && typeof dialog.showModal === 'function') new SessionWarning(dialog) // eslint-disable-line no-new
}
