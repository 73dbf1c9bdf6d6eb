import { reactive } from 'vue'

// Lets the compose page keep its instance (editor, findings) when a new draft is first saved
// and the address changes from /tickets/new to /tickets/<id>/edit.
export const composeSession = reactive({ createdId: null, serial: 0 })

export function viewKey(route) {
  if (route.name === 'compose') return `compose-${composeSession.serial}`
  if (route.name === 'edit' && composeSession.createdId != null && String(route.params.id) === String(composeSession.createdId)) {
    return `compose-${composeSession.serial}`
  }
  return route.fullPath
}
