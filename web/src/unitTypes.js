// The unit-type catalogue (GET /api/v1/unit-types), fetched once per page load.
import { ref } from 'vue'
import { api } from './api.js'
import { notifyError } from './errors.js'

export const unitTypes = ref([])
let pending = null

export function loadUnitTypes() {
  if (unitTypes.value.length) return Promise.resolve(unitTypes.value)
  if (!pending) {
    pending = api
      .get('/unit-types')
      .then((data) => (unitTypes.value = data?.types || []))
      .catch((e) => {
        notifyError(e)
        return []
      })
      .finally(() => (pending = null))
  }
  return pending
}

export function unitTypeName(code) {
  return unitTypes.value.find((t) => t.code === code)?.name || code
}
